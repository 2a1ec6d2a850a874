package e2e

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	pcore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
)

// deadlineRecorder is a gRPC server (real transport) standing where the agent would be. It
// records the deadline each call arrives with (propeller's per-call context timeout travels as
// grpc-timeout) and, for calls it is told to stall, answers only when that deadline has passed.
type deadlineRecorder struct {
	service.UnimplementedAsyncAgentServiceServer
	service.UnimplementedAgentMetadataServiceServer
	mu       sync.Mutex
	seen     map[string][]time.Duration // operation -> remaining time at arrival; -1 = no deadline
	stall    map[string]bool
	endpoint string
}

func startRecorder(t *testing.T) *deadlineRecorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &deadlineRecorder{seen: map[string][]time.Duration{}, stall: map[string]bool{}, endpoint: l.Addr().String()}
	s := grpc.NewServer()
	service.RegisterAsyncAgentServiceServer(s, r)
	service.RegisterAgentMetadataServiceServer(s, r)
	go func() { _ = s.Serve(l) }()
	t.Cleanup(s.Stop)
	return r
}

func (r *deadlineRecorder) record(ctx context.Context, op string) {
	remaining := time.Duration(-1)
	if d, ok := ctx.Deadline(); ok {
		remaining = time.Until(d)
	}
	r.mu.Lock()
	r.seen[op] = append(r.seen[op], remaining)
	stall := r.stall[op]
	r.mu.Unlock()
	if stall && remaining >= 0 {
		<-ctx.Done()
	}
}

func (r *deadlineRecorder) setStall(op string, v bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stall[op] = v
}

func (r *deadlineRecorder) last(op string) (time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.seen[op]
	if len(s) == 0 {
		return 0, false
	}
	return s[len(s)-1], true
}

func (r *deadlineRecorder) ListAgents(ctx context.Context, _ *admin.ListAgentsRequest) (*admin.ListAgentsResponse, error) {
	r.record(ctx, "ListConnectors")
	return &admin.ListAgentsResponse{Agents: []*admin.Agent{{Name: "recorder",
		SupportedTaskCategories: []*admin.TaskCategory{{Name: "example_plugin"}}}}}, nil
}

func (r *deadlineRecorder) CreateTask(ctx context.Context, _ *admin.CreateTaskRequest) (*admin.CreateTaskResponse, error) {
	r.record(ctx, "CreateTask")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &admin.CreateTaskResponse{ResourceMeta: []byte("meta")}, nil
}

func (r *deadlineRecorder) GetTask(ctx context.Context, _ *admin.GetTaskRequest) (*admin.GetTaskResponse, error) {
	r.record(ctx, "GetTask")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &admin.GetTaskResponse{Resource: &admin.Resource{Phase: 3 /* RUNNING */}}, nil
}

func (r *deadlineRecorder) DeleteTask(ctx context.Context, _ *admin.DeleteTaskRequest) (*admin.DeleteTaskResponse, error) {
	r.record(ctx, "DeleteTask")
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &admin.DeleteTaskResponse{}, nil
}

func near(got, want time.Duration) bool {
	return got > want-time.Second && got <= want+50*time.Millisecond
}

// The timeouts configured on the connector entry that connectorForTaskTypes routes to are the
// deadlines of every call (ListAgents at start, CreateTask, GetTask, DeleteTask); a stalled call
// ends at its deadline. A routed entry without timeouts sends calls with no deadline at all, even
// when the default connector has timeouts.
func TestConnectorTimeoutsPerCall(t *testing.T) {
	e := testEnv(t)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	ctx := context.Background()

	t.Run("routed entry with timeouts", func(t *testing.T) {
		rec := startRecorder(t)
		want := map[string]time.Duration{"ListConnectors": 1500 * time.Millisecond, "CreateTask": 2 * time.Second,
			"GetTask": 3 * time.Second, "DeleteTask": 4 * time.Second}
		loadConfig(t, connectorYAML(deadEndpoint, rec.endpoint, 5*time.Second, map[string]string{
			"ListConnectors": "1500ms", "CreateTask": "2s", "GetTask": "3s", "DeleteTask": "4s"}))
		lp := newPlugin(t)
		if got, ok := rec.last("ListConnectors"); !ok || !near(got, want["ListConnectors"]) {
			t.Errorf("ListAgents deadline = %v (seen %v), want ~%v", got, ok, want["ListConnectors"])
		}

		// CreateTask slower than its deadline: the call ends at the deadline, a retryable failure.
		rec.setStall("CreateTask", true)
		run := newTaskRun(t, runSpec{execution: "timeouts", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "timeouts")},
			tpl, stringInput("text", "x"))
		start := time.Now()
		info, errs := run.drive(t, lp.plugin, 30*time.Second)
		if info.Phase() != pcore.PhaseRetryableFailure || time.Since(start) > 10*time.Second {
			t.Errorf("stalled CreateTask: phase %v after %v (errors %v), want RetryableFailure at ~2s", info.Phase(), time.Since(start), errs)
		}
		if got, _ := rec.last("CreateTask"); !near(got, want["CreateTask"]) {
			t.Errorf("CreateTask deadline = %v, want ~%v", got, want["CreateTask"])
		}

		// GetTask stalls: each poll ends at its deadline.
		rec.setStall("CreateTask", false)
		rec.setStall("GetTask", true)
		run = newTaskRun(t, runSpec{execution: "timeouts2", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "timeouts2")},
			tpl, stringInput("text", "x"))
		run.launch(t, lp.plugin)
		if err := waitSeen(rec, "GetTask", 20*time.Second); err != nil {
			t.Fatal(err)
		}
		if got, _ := rec.last("GetTask"); !near(got, want["GetTask"]) {
			t.Errorf("GetTask deadline = %v, want ~%v", got, want["GetTask"])
		}

		// Abort while running: DeleteTask stalls and ends at its deadline with an error (which
		// blocks propeller's abort until a later round succeeds).
		rec.setStall("DeleteTask", true)
		start = time.Now()
		called, err := run.abortLikePropeller(ctx, lp.plugin)
		if !called || err == nil || time.Since(start) > 10*time.Second {
			t.Errorf("stalled DeleteTask: called=%v err=%v after %v, want an error at ~4s", called, err, time.Since(start))
		}
		if got, _ := rec.last("DeleteTask"); !near(got, want["DeleteTask"]) {
			t.Errorf("DeleteTask deadline = %v, want ~%v", got, want["DeleteTask"])
		}
	})

	t.Run("routed entry without timeouts has no deadline", func(t *testing.T) {
		rec := startRecorder(t)
		loadConfig(t, `plugins:
  connector-service:
    webApi:
      caching: {size: 1000, resyncInterval: 5s, workers: 2, maxSystemFailures: 5}
    defaultConnector:
      endpoint: "`+deadEndpoint+`"
      insecure: true
      defaultTimeout: 10s
      timeouts:
        - CreateTask: 7s
    connectors:
      flyte-operator-agent:
        endpoint: "`+rec.endpoint+`"
        insecure: true
        defaultTimeout: 0s
        timeouts: []
    connectorForTaskTypes:
      example_plugin: flyte-operator-agent
    pollInterval: 10s
`)
		lp := newPlugin(t)
		run := newTaskRun(t, runSpec{execution: "nodeadline", nodeID: "n0", uniqueNodeID: "n0", dir: workDir(t, "nodeadline")},
			tpl, stringInput("text", "x"))
		run.launch(t, lp.plugin)
		if got, ok := rec.last("CreateTask"); !ok || got != -1 {
			t.Errorf("CreateTask through a routed entry without timeouts arrived with deadline %v (seen %v), want none", got, ok)
		}
	})
}

func waitSeen(rec *deadlineRecorder, op string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if _, ok := rec.last(op); ok {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errorf("no %s call within %s", op, timeout)
}
