// Command load drives one agent-protocol server (flyteidl.service.AsyncAgentService +
// AgentMetadataService) the way FlytePropeller's connector plugin would, with many tasks at once,
// and measures it: per-call latency, throughput, server CPU per request and server memory.
//
//	load run -name python -addr 127.0.0.1:18000 -pid 1234 -out python.json
//	load compare python.json ours.json
//
// `run` waits for the server's gRPC health, calls ListAgents, creates N tasks with a real
// TaskTemplate (a serialized example task from $COMPAT_SERIALIZED, args rendered like propeller's
// template.Render) and real metadata, then polls GetTask for all of them with many calls in flight
// until every task is terminal (bounded in time and count), then keeps polling the finished tasks
// for a fixed steady phase. The requests are built as flyteplugins' connector plugin builds them
// (flyteplugins/go/tasks/plugins/webapi/connector/plugin.go, Plugin.Create and Plugin.Get, v1.16.8).
// `compare` prints two runs side by side with the ratio and one PASS/FAIL line per check.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = runCommand(os.Args[2:])
	case "compare":
		err = compareCommand(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: load run -name NAME -addr HOST:PORT -pid PID -out FILE [flags]  (load run -h lists them)")
	fmt.Fprintln(os.Stderr, "       load compare PYTHON.json OURS.json")
	os.Exit(2)
}
