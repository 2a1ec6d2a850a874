package e2e

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
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/connector"

	"github.com/flyteplugin/compat/harness"
)

const deadEndpoint = "127.0.0.1:1" // nothing listens there: a connector entry that must not be used

func placeholderPlugin(t *testing.T, a *harness.Agent) loadedPlugin {
	loadConfig(t, connectorYAML(deadEndpoint, a.Endpoint(), 5*time.Second, defaultTimeouts))
	return newPlugin(t)
}

// Discovery: with only a defaultConnector, the plugin's ListAgents call at start discovers the
// agent's example_plugin category (propeller routes a task type to connector-service when
// ConnectorService.ContainTaskType says so); with connectorForTaskTypes, example_plugin is routed
// to that entry and the default (unreachable) connector is never called.
func TestDiscoveryAndRouting(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)

	t.Run("ListAgents discovers example_plugin", func(t *testing.T) {
		loadConfig(t, `plugins:
  connector-service:
    webApi:
      caching: {size: 1000, resyncInterval: 5s, workers: 2, maxSystemFailures: 5}
    defaultConnector:
      endpoint: "`+a.Endpoint()+`"
      insecure: true
      defaultTimeout: 10s
    connectors: {}
    connectorForTaskTypes: {}
    supportedTaskTypes: []
    pollInterval: 10s
`)
		lp := newPlugin(t)
		if !lp.service.ContainTaskType("example_plugin") {
			t.Fatalf("ListAgents of the agent did not make connector-service serve example_plugin; registered task types %v", lp.entry.RegisteredTaskTypes)
		}
		if !lp.service.ContainTaskType("flink") {
			t.Fatalf("ListAgents of the agent did not make connector-service serve flink (the second plugin); registered task types %v", lp.entry.RegisteredTaskTypes)
		}
		if lp.service.ContainTaskType("no_such_type") {
			t.Fatal("connector-service claims an unknown task type")
		}
	})

	t.Run("connectorForTaskTypes routes example_plugin", func(t *testing.T) {
		lp := placeholderPlugin(t, a)
		if !lp.service.ContainTaskType("example_plugin") {
			t.Fatal("example_plugin is not served although connectorForTaskTypes routes it")
		}
		tpl := loadTemplate(t, e.serialized, "CountWords")
		run := newTaskRun(t, runSpec{execution: "route", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "route")},
			tpl, stringInput("text", "one two"))
		info, errs := run.drive(t, lp.plugin, 90*time.Second)
		if info.Phase() != pcore.PhaseSuccess {
			t.Fatalf("routed task ended %v (%v), errors %v", info.Phase(), info.Err(), errs)
		}
	})
}

func TestCreateStatusSucceededOutputs(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	before, err := harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatalf("agent metrics: %v", err)
	}
	tpl := loadTemplate(t, e.serialized, "CountWords")
	run := newTaskRun(t, runSpec{execution: "success", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "success")},
		tpl, stringInput("text", "the cat and the hat"))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	if info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("task ended %v (%v); phases %v; errors %v", info.Phase(), info.Err(), run.phases, errs)
	}
	if len(errs) > 0 {
		t.Errorf("rounds failed on the way: %v", errs)
	}
	out := run.outputs(t)
	if w, _ := intOut(out, "words"); w != 5 {
		t.Errorf("words = %d, want 5 (outputs %v)", w, out)
	}
	if d, _ := intOut(out, "distinctWords"); d != 4 {
		t.Errorf("distinctWords = %d, want 4", d)
	}
	if s, _ := stringOut(out, "topWord"); s != "the" {
		t.Errorf("topWord = %q, want the", s)
	}
	// Propeller does not abort a node whose plugin phase is terminal: no DeleteTask after success.
	if called, err := run.abortLikePropeller(context.Background(), lp.plugin); called || err != nil {
		t.Fatalf("abort after success called the plugin: %v %v", called, err)
	}
	after, err := harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatal(err)
	}
	del := map[string]string{"operation": "delete"}
	if d := after.Sum("flyte_connector_requests_success_total", del) + after.Sum("flyte_connector_requests_failure_total", del) -
		before.Sum("flyte_connector_requests_success_total", del) - before.Sum("flyte_connector_requests_failure_total", del); d != 0 {
		t.Errorf("the agent counted %v DeleteTask calls for a task that succeeded", d)
	}
	get := map[string]string{"operation": "get", "task_type": "example_plugin"}
	if d := after.Sum("flyte_connector_requests_success_total", get) - before.Sum("flyte_connector_requests_success_total", get); d < 1 {
		t.Errorf("flyte_connector_requests_success_total{operation=get,task_type=example_plugin} did not grow (%v)", d)
	}
}

// The second plugin through the same agent and the same propeller plugin: CountLines is a
// @FlinkTask, a FlinkDeployment run by the simulated Flink operator; its outputs come back through
// propeller's own output reader, beside the Spark tasks.
func TestFlinkTaskBesideSpark(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountLines")
	if tpl.GetType() != "flink" {
		t.Fatalf("CountLines serialized with task type %q, want flink", tpl.GetType())
	}
	run := newTaskRun(t, runSpec{execution: "flink", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "flink")},
		tpl, stringInput("text", "one\ntwo\n\nthree"))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	if info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("flink task ended %v (%v); phases %v; errors %v", info.Phase(), info.Err(), run.phases, errs)
	}
	if n, _ := intOut(run.outputs(t), "lines"); n != 3 {
		t.Errorf("lines = %d, want 3", n)
	}
}

// Task code failure: MeasureWords throws on a text without words; jflyte writes error.pb (USER,
// NON_RECOVERABLE) and the application completes; propeller's ValidateOutput reads the error
// document and fails the node permanently with kind USER.
func TestTaskCodeFailure(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "MeasureWords")
	run := newTaskRun(t, runSpec{execution: "codefail", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "codefail")},
		tpl, stringInput("text", "   "))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	t.Logf("info: recorded: phase %v, error %v; rounds' errors %v", info.Phase(), info.Err(), errs)
	if info.Phase() != pcore.PhasePermanentFailure {
		t.Fatalf("phase = %v, want PermanentFailure (a NON_RECOVERABLE error document)", info.Phase())
	}
	if info.Err().GetKind() != idl.ExecutionError_USER {
		t.Errorf("error kind (origin) = %v, want USER", info.Err().GetKind())
	}
	if got := info.Err().GetCode(); got != "USER:IllegalArgumentException" {
		t.Errorf("error code = %q, want USER:IllegalArgumentException", got)
	}
	if !contains(info.Err().GetMessage(), "no words to measure") {
		t.Errorf("error message %q does not carry the task's exception message", info.Err().GetMessage())
	}
}

// Operator failure: a SparkApplication with no arguments fails in the (simulated) operator:
// the agent reports RETRYABLE_FAILED, which connector-service >= 1.16 records as a retryable
// failure (kind USER; the Get path ignores agent_error, the reason is in the message).
func TestOperatorFailure(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	tpl.GetContainer().Args = nil
	run := newTaskRun(t, runSpec{execution: "opfail", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "opfail")},
		tpl, stringInput("text", "x"))
	info, errs := run.drive(t, lp.plugin, 90*time.Second)
	t.Logf("info: recorded: phase %v, error %v; rounds' errors %v", info.Phase(), info.Err(), errs)
	if info.Phase() != pcore.PhaseRetryableFailure {
		t.Fatalf("phase = %v, want RetryableFailure (the operator's FAILED is retryable)", info.Phase())
	}
	if info.Err().GetKind() != idl.ExecutionError_USER {
		t.Errorf("kind = %v, want USER", info.Err().GetKind())
	}
	if !contains(info.Err().GetMessage(), "no arguments") {
		t.Errorf("message %q does not carry the operator's reason", info.Err().GetMessage())
	}
}

// A task that can never run (no image anywhere): the agent accepts it with a 'rejected' meta and
// GetTask says FAILED: a permanent failure naming the problem, no retry spent.
func TestInvalidTaskFailsPermanently(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	tpl.GetContainer().Image = ""
	run := newTaskRun(t, runSpec{execution: "invalid", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "invalid")},
		tpl, stringInput("text", "x"))
	info, errs := run.drive(t, lp.plugin, 60*time.Second)
	t.Logf("info: recorded: phase %v, error %v; rounds' errors %v", info.Phase(), info.Err(), errs)
	if info.Phase() != pcore.PhasePermanentFailure {
		t.Fatalf("phase = %v, want PermanentFailure", info.Phase())
	}
	if !contains(info.Err().GetMessage(), "image") {
		t.Errorf("message %q does not name the missing image", info.Err().GetMessage())
	}
}

// Abort: propeller calls the plugin's Abort (DeleteTask) for a running node; the agent deletes
// the resource (GetTask of the same meta then says it no longer exists) and counts one delete.
func TestAbortDeletesResource(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	before, err := harness.Scrape(a.MetricsPort)
	if err != nil {
		t.Fatal(err)
	}
	run := newTaskRun(t, runSpec{execution: "abort", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "abort")},
		tpl, stringInput("text", "to be aborted"))
	ctx := context.Background()
	st := run.launch(t, lp.plugin)
	meta, ok := st.ResourceMeta.(connector.ResourceMetaWrapper)
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
	// The resource is gone: the agent's GetTask for that meta reports it does not exist.
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
			ResourceMeta: meta.ConnectorResourceMeta, OutputPrefix: meta.OutputPrefix})
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
}
