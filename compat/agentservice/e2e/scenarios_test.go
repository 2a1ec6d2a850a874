package e2e

// The agent-service plugin, as propeller before 1.16 (Flyte 1.13 - 1.15.0) calls our agent.
//
// Which code runs: the agent-service plugin of flyteplugins v1.16.8. The v1.14.1 modules are not
// obtainable from the Go module proxy these machines reach (flytestdlib v1.13.x-v1.15.x: "not
// available"; flyteplugins v1.14.x: no checksum-database entry), so this module pins v1.16.8 too.
// `git diff flyteplugins/v1.14.1 flyteplugins/v1.16.8 -- go/tasks/plugins/webapi/agent/plugin.go`
// shows that Plugin.Status maps every phase the same way in both, except that v1.16 added
// RETRYABLE_FAILED -> retryable failure; in v1.14.1 that phase falls through to
// "unknown execution phase" (a system error, every round). The request fields and the config
// keys (defaultAgent, agents, agentForTaskTypes, timeouts with ListAgents) are the same. So the
// scenarios assert what v1.14.1 records, and treat a RETRYABLE_FAILED reaching the plugin as the
// failure it is before 1.16.

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	idl "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	pcore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/agent"

	"github.com/flyteplugin/compat/harness"
)

const deadEndpoint = "127.0.0.1:1"

func routedPlugin(t *testing.T, a *harness.Agent) loadedPlugin {
	loadConfig(t, agentYAML(deadEndpoint, a.Endpoint(), 5*time.Second, defaultTimeouts))
	return newPlugin(t)
}

// pre116 is what flyteplugins v1.14.1's agent-service records for the phase info the v1.16.8 code
// produced: identical, except a retryable failure (only RETRYABLE_FAILED produces one in
// Status) is "unknown execution phase" there.
func pre116(t *testing.T, info pcore.PhaseInfo) {
	t.Helper()
	if info.Phase() == pcore.PhaseRetryableFailure && info.Err().GetCode() == "TaskFailedWithError" {
		t.Fatalf("the agent answered RETRYABLE_FAILED (%q): agent-service before 1.16 does not know that phase and records a system error 'unknown execution phase' on every round until the task times out", info.Err().GetMessage())
	}
}

func TestDiscoveryAndRouting(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	t.Run("ListAgents discovers example_plugin", func(t *testing.T) {
		loadConfig(t, `plugins:
  agent-service:
    webApi:
      caching: {size: 1000, resyncInterval: 5s, workers: 2, maxSystemFailures: 5}
    defaultAgent:
      endpoint: "`+a.Endpoint()+`"
      insecure: true
      defaultTimeout: 10s
    agents: {}
    agentForTaskTypes: {}
    supportedTaskTypes: []
    pollInterval: 10s
`)
		lp := newPlugin(t)
		// v1.16's AgentService learns the types in its watcher goroutine (first pass at once).
		if err := harness.WaitFor(10*time.Second, 200*time.Millisecond, func() error {
			if lp.service.ContainTaskType("example_plugin") {
				return nil
			}
			return errorf("AgentService does not contain example_plugin")
		}); err != nil {
			t.Errorf("ListAgents did not make agent-service serve example_plugin: %v", err)
		}
		// Before 1.16, propeller routes by the entry's registered task types (taken at start).
		registered := false
		for _, tt := range lp.entry.RegisteredTaskTypes {
			registered = registered || tt == "example_plugin"
		}
		if !registered {
			t.Errorf("example_plugin is not among the plugin's registered task types %v (how propeller before 1.16 routes a type)", lp.entry.RegisteredTaskTypes)
		}
	})
	t.Run("agentForTaskTypes routes example_plugin", func(t *testing.T) {
		lp := routedPlugin(t, a)
		tpl := loadTemplate(t, e.serialized, "CountWords")
		run := newTaskRun(t, runSpec{execution: "route", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "route")},
			tpl, stringInput("text", "one two"))
		info, errs := run.drive(t, lp.plugin, 90*time.Second)
		if info.Phase() != pcore.PhaseSuccess {
			t.Fatalf("routed task ended %v (%v), errors %v", info.Phase(), info.Err(), errs)
		}
		out := run.outputs(t)
		if w, _ := intOut(out, "words"); w != 2 {
			t.Errorf("words = %d, want 2", w)
		}
		if s, _ := stringOut(out, "topWord"); s == "" {
			t.Errorf("no topWord in %v", out)
		}
	})
}

// Task code failure: error.pb -> permanent failure, kind USER (ValidateOutput in propeller).
func TestTaskCodeFailure(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := routedPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "MeasureWords")
	run := newTaskRun(t, runSpec{execution: "codefail", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "codefail")},
		tpl, stringInput("text", "   "))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	t.Logf("info: recorded: phase %v, kind %v, code %q; rounds' errors %v", info.Phase(), info.Err().GetKind(), info.Err().GetCode(), errs)
	pre116(t, info)
	if info.Phase() != pcore.PhasePermanentFailure || info.Err().GetKind() != idl.ExecutionError_USER ||
		info.Err().GetCode() != "USER:IllegalArgumentException" {
		t.Errorf("recorded %v %v %q, want PermanentFailure USER USER:IllegalArgumentException", info.Phase(), info.Err().GetKind(), info.Err().GetCode())
	}
}

// Operator failure (the Spark application FAILED): before 1.16 the agent must answer FAILED
// (permanent; the reason in the message), never RETRYABLE_FAILED.
func TestOperatorFailure(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := routedPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	tpl.GetContainer().Args = nil
	run := newTaskRun(t, runSpec{execution: "opfail", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "opfail")},
		tpl, stringInput("text", "x"))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	t.Logf("info: recorded: phase %v, error %v; rounds' errors %v", info.Phase(), info.Err(), errs)
	pre116(t, info)
	if info.Phase() != pcore.PhasePermanentFailure {
		t.Fatalf("phase = %v, want PermanentFailure", info.Phase())
	}
	if !contains(info.Err().GetMessage(), "no arguments") {
		t.Errorf("message %q does not carry the operator's reason", info.Err().GetMessage())
	}
}

// A task that can never run: FAILED, permanent, naming the problem.
func TestInvalidTaskFailsPermanently(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := routedPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	tpl.GetContainer().Image = ""
	run := newTaskRun(t, runSpec{execution: "invalid", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "invalid")},
		tpl, stringInput("text", "x"))
	info, errs := run.drive(t, lp.plugin, 60*time.Second)
	t.Logf("info: recorded: phase %v, error %v; rounds' errors %v", info.Phase(), info.Err(), errs)
	pre116(t, info)
	if info.Phase() != pcore.PhasePermanentFailure || !contains(info.Err().GetMessage(), "image") {
		t.Errorf("recorded %v %q, want PermanentFailure naming the image", info.Phase(), info.Err().GetMessage())
	}
}

// Abort: DeleteTask called once, the resource is gone.
func TestAbortDeletesResource(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := routedPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	before, err := harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatal(err)
	}
	run := newTaskRun(t, runSpec{execution: "abort", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "abort")},
		tpl, stringInput("text", "to be aborted"))
	ctx := context.Background()
	st := run.launch(t, lp.plugin)
	meta, ok := st.ResourceMeta.(agent.ResourceMetaWrapper)
	if !ok {
		t.Fatalf("plugin state holds no resource meta after create: %+v", st)
	}
	called, err := run.abortLikePropeller(ctx, lp.plugin)
	if !called || err != nil {
		t.Fatalf("abort of a running node: called=%v err=%v", called, err)
	}
	after, err := harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatal(err)
	}
	del := map[string]string{"operation": "delete", "task_type": "example_plugin"}
	if d := after.Sum("flyte_connector_requests_success_total", del) - before.Sum("flyte_connector_requests_success_total", del); d != 1 {
		t.Errorf("flyte_connector_requests_success_total{operation=delete} grew by %v, want 1", d)
	}
	conn, err := grpc.NewClient(a.Endpoint(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	client := service.NewAsyncAgentServiceClient(conn)
	err = harness.WaitFor(30*time.Second, time.Second, func() error {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		res, err := client.GetTask(cctx, &admin.GetTaskRequest{TaskType: "example_plugin", TaskCategory: &meta.TaskCategory,
			ResourceMeta: meta.AgentResourceMeta, OutputPrefix: meta.OutputPrefix})
		if err != nil {
			return err
		}
		// Gone: reported ABORTED, or a failure saying the resource no longer exists.
		msg := strings.ToLower(res.GetResource().GetMessage())
		if res.GetResource().GetPhase() == idl.TaskExecution_ABORTED || contains(msg, "does not exist") ||
			contains(msg, "deleted") || contains(msg, "not found") {
			return nil
		}
		return errorf("GetTask after DeleteTask: phase %v, message %q", res.GetResource().GetPhase(), res.GetResource().GetMessage())
	})
	if err != nil {
		t.Errorf("resource still there after abort: %v", err)
	}
	// A node already terminal is not aborted (flytepropeller task Handler.Abort).
	done := newTaskRun(t, runSpec{execution: "abortdone", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "abortdone")},
		tpl, stringInput("text", "done"))
	if info, errs := done.drive(t, lp.plugin, 90*time.Second); info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("task ended %v (%v) %v", info.Phase(), info.Err(), errs)
	}
	before = after
	if called, err := done.abortLikePropeller(ctx, lp.plugin); called || err != nil {
		t.Fatalf("abort of a terminal node called the plugin: %v %v", called, err)
	}
	after, err = harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatal(err)
	}
	if d := after.Sum("flyte_connector_requests_success_total", del) - before.Sum("flyte_connector_requests_success_total", del); d != 0 {
		t.Errorf("DeleteTask counted %v times after a terminal phase", d)
	}
}
