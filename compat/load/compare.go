package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// compareCommand prints two runs side by side with the ratio second/first, then one line per
// check: PASS <name> or FAIL <name>: <reason>. It fails when any check fails.
func compareCommand(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: load compare PEER.json OURS.json (ratio = OURS / PEER)")
	}
	var rs [2]*Result
	var fails []string
	pass := func(name string) { fmt.Printf("PASS %s\n", name) }
	fail := func(name, reason string) {
		fmt.Printf("FAIL %s: %s\n", name, reason)
		fails = append(fails, name)
	}
	for i, file := range args {
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("cannot read result %s: %v (did `load run` start?)", file, err)
		}
		r := &Result{}
		if err := json.Unmarshal(data, r); err != nil {
			return fmt.Errorf("%s is not a `load run` result: %v", file, err)
		}
		rs[i] = r
	}
	a, b := rs[0], rs[1]

	// INFO lines: compat/run shows PASS/FAIL/SKIP/INFO lines of each part's log.
	fmt.Printf("\nINFO %s = %s\nINFO %s = %s\n", a.Name, a.Includes, b.Name, b.Includes)
	fmt.Printf("INFO load: %d tasks (%s), CreateTask %d in flight, GetTask %d in flight; latencies are client-side round trips over loopback gRPC\n"+
		"INFO CPU per request = server process-tree utime+stime over the phase / calls in the phase; the load client shares the machine's cores\n",
		a.N, a.Task, a.CreateInFl, a.GetInFl)
	fmt.Printf("INFO %-58s %14s %14s %10s\n", "figure", a.Name, b.Name, "ratio "+b.Name+"/"+a.Name)
	var printed, bad int
	row := func(label string, x, y float64, format string) {
		ratio := "n/a"
		if x != 0 {
			ratio = fmt.Sprintf("%.2f", y/x)
		}
		fmt.Printf("INFO %-58s %14s %14s %10s\n", label, fmt.Sprintf(format, x), fmt.Sprintf(format, y), ratio)
		printed++
		if math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) {
			bad++
		}
	}
	phase := func(label string, x, y Phase) {
		row(label+" p50 (ms)", x.P50Ms, y.P50Ms, "%.3f")
		row(label+" p99 (ms)", x.P99Ms, y.P99Ms, "%.3f")
		row(label+" throughput (calls/s)", x.PerSec, y.PerSec, "%.0f")
		row(label+" server CPU per request (ms)", x.CPUPerReqMs, y.CPUPerReqMs, "%.3f")
		row(label+" calls", float64(x.Calls), float64(y.Calls), "%.0f")
	}
	row("ready after start (s)", a.ReadySec, b.ReadySec, "%.1f")
	phase("CreateTask", a.Create, b.Create)
	phase("GetTask until terminal", a.GetUntilDone, b.GetUntilDone)
	phase("GetTask steady (all finished)", a.GetSteady, b.GetSteady)
	row("time to terminal p50 (s)", a.DoneP50Sec, b.DoneP50Sec, "%.2f")
	row("time to terminal p99 (s)", a.DoneP99Sec, b.DoneP99Sec, "%.2f")
	row("server RSS when ready (MiB)", a.RSSMiBReady, b.RSSMiBReady, "%.0f")
	row("server RSS after the load (MiB)", a.GetSteady.RSSMiBAfter, b.GetSteady.RSSMiBAfter, "%.0f")
	row("server peak RSS (MiB)", a.PeakRSSMiB, b.PeakRSSMiB, "%.0f")
	row("outputs.pb written", float64(a.OutputsPb), float64(b.OutputsPb), "%.0f")
	for _, r := range rs {
		for _, x := range []struct {
			label string
			ph    Phase
		}{{"CreateTask", r.Create}, {"GetTask until terminal", r.GetUntilDone}, {"GetTask steady", r.GetSteady}} {
			fmt.Printf("INFO %s %s: server CPU %.2f s by threads: %s\n", r.Name, x.label, x.ph.ServerCPUSec, threadSummary(x.ph))
		}
	}
	fmt.Println()

	for _, r := range rs {
		if r.Fatal != "" {
			fail("load-"+r.Name, r.Fatal)
		} else {
			pass("load-" + r.Name)
		}
		if r.ListAgentsOK {
			pass("list-agents-" + r.Name)
		} else {
			fail("list-agents-"+r.Name, "ListAgents did not list example_plugin: "+orNone(r.ListAgentsErr)+" agents="+strings.Join(r.Agents, "; "))
		}
		if r.CreatedOK == r.N && r.Create.Errors == 0 {
			pass("create-all-" + r.Name)
		} else {
			fail("create-all-"+r.Name, fmt.Sprintf("%d/%d CreateTask calls succeeded, errors %v, first: %s", r.CreatedOK, r.N, r.Create.ErrorCodes, firstLine(r.Create.FirstError)))
		}
		if r.CreatedOK == r.N && r.Terminal == r.N {
			pass("terminal-all-" + r.Name)
		} else {
			fail("terminal-all-"+r.Name, fmt.Sprintf("%d/%d tasks reached a terminal phase within %s (last phases %v; GetTask errors %v)", r.Terminal, r.N, r.TerminalBound, r.FinalPhases, r.GetUntilDone.ErrorCodes))
		}
		if r.CreatedOK == r.N && r.Succeeded == r.N {
			pass("succeeded-all-" + r.Name)
		} else {
			var why []string
			for m, c := range r.NotSucceeded {
				why = append(why, fmt.Sprintf("%d x %s", c, m))
			}
			sort.Strings(why)
			fail("succeeded-all-"+r.Name, fmt.Sprintf("%d/%d tasks SUCCEEDED (the task succeeds on a valid input); others: %s", r.Succeeded, r.N, strings.Join(why, " | ")))
		}
		if r.GetUntilDone.Errors == 0 && r.GetSteady.Errors == 0 {
			pass("get-no-errors-" + r.Name)
		} else {
			fail("get-no-errors-"+r.Name, fmt.Sprintf("GetTask errors %v / %v, first: %s", r.GetUntilDone.ErrorCodes, r.GetSteady.ErrorCodes, firstLine(r.GetUntilDone.FirstError+r.GetSteady.FirstError)))
		}
	}
	switch {
	case bad > 0:
		fail("figures-printed", fmt.Sprintf("%d of %d figures are not finite", bad, printed))
	case a.Create.Calls == 0 || b.Create.Calls == 0 || a.GetSteady.Calls == 0 || b.GetSteady.Calls == 0:
		fail("figures-printed", "a phase made no calls, its figures mean nothing")
	default:
		pass("figures-printed")
	}
	if len(fails) > 0 {
		return fmt.Errorf("%d check(s) failed: %s", len(fails), strings.Join(fails, ", "))
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(no error)"
	}
	return s
}
