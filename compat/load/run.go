package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/service"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const taskType = "example_plugin"

var digits = regexp.MustCompile(`[0-9]+`)

// Phase is what one phase of the load measured.
type Phase struct {
	Calls      int            `json:"calls"`
	Errors     int            `json:"errors"`
	ErrorCodes map[string]int `json:"error_codes,omitempty"`
	FirstError string         `json:"first_error,omitempty"`
	P50Ms      float64        `json:"p50_ms"`
	P99Ms      float64        `json:"p99_ms"`
	MaxMs      float64        `json:"max_ms"`
	WallSec    float64        `json:"wall_s"`
	PerSec     float64        `json:"calls_per_s"`
	// Server process (and its children) user+system CPU over the phase, from /proc/<pid>/stat.
	ServerCPUSec float64 `json:"server_cpu_s"`
	CPUPerReqMs  float64 `json:"server_cpu_per_request_ms"`
	// The phase's server CPU by thread group (thread names with their numbers cut off).
	CPUByThreads map[string]float64 `json:"server_cpu_s_by_thread_group"`
	RSSMiBAfter  float64            `json:"server_rss_mib_after"`
}

// Result is one `load run` against one server.
type Result struct {
	Name          string         `json:"name"`
	Addr          string         `json:"addr"`
	Pid           int            `json:"pid"`
	Includes      string         `json:"includes"`
	Task          string         `json:"task"`
	N             int            `json:"n"`
	CreateInFl    int            `json:"create_in_flight"`
	GetInFl       int            `json:"get_in_flight"`
	ReadySec      float64        `json:"ready_s"`
	ListAgentsOK  bool           `json:"list_agents_ok"`
	Agents        []string       `json:"agents"`
	ListAgentsErr string         `json:"list_agents_error,omitempty"`
	RSSMiBReady   float64        `json:"server_rss_mib_ready"`
	Create        Phase          `json:"create"`
	CreatedOK     int            `json:"created_ok"`
	GetUntilDone  Phase          `json:"get_until_terminal"`
	Terminal      int            `json:"terminal"`
	Succeeded     int            `json:"succeeded"`
	TerminalBound string         `json:"terminal_bound"`
	FinalPhases   map[string]int `json:"final_phases"`
	NotSucceeded  map[string]int `json:"not_succeeded,omitempty"`
	SteadyPhases  map[string]int `json:"steady_last_phases"`
	DoneP50Sec    float64        `json:"time_to_terminal_p50_s"`
	DoneP99Sec    float64        `json:"time_to_terminal_p99_s"`
	GetSteady     Phase          `json:"get_steady"`
	PeakRSSMiB    float64        `json:"server_peak_rss_mib"`
	OutputsPb     int            `json:"outputs_pb_written"`
	Fatal         string         `json:"fatal,omitempty"`
}

type runFlags struct {
	name, addr, out, includes, task, serialized, work    string
	pid, n, createInFlight, getInFlight, maxGets, clkTck int
	readyTimeout, callTimeout, terminalTimeout, steady   time.Duration
}

func runCommand(args []string) error {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.StringVar(&f.name, "name", "", "label of this server in the figures (required)")
	fs.StringVar(&f.addr, "addr", "", "loopback host:port of the server (required)")
	fs.IntVar(&f.pid, "pid", 0, "process id of the server, for CPU and RSS from /proc (required)")
	fs.StringVar(&f.out, "out", "", "write the result as JSON to this file (required)")
	fs.StringVar(&f.includes, "includes", "", "what the server process does besides the protocol (printed with the figures)")
	fs.StringVar(&f.task, "task", "CountWords", "serialized task to use: a <NN>_<name>_1.pb in $COMPAT_SERIALIZED whose name contains this")
	fs.IntVar(&f.n, "n", 1000, "number of tasks to create")
	fs.IntVar(&f.createInFlight, "create-in-flight", 20, "CreateTask calls in flight (propeller's connector plugin: write rate limiter 10 QPS, burst 100)")
	fs.IntVar(&f.getInFlight, "get-in-flight", 1000, "GetTask calls in flight")
	fs.IntVar(&f.maxGets, "max-gets", 2_000_000, "at most this many GetTask calls per GetTask phase")
	fs.DurationVar(&f.readyTimeout, "ready-timeout", 120*time.Second, "wait this long for the server's gRPC health to be SERVING")
	fs.DurationVar(&f.callTimeout, "call-timeout", 10*time.Second, "deadline of each call (propeller's default is 10s)")
	fs.DurationVar(&f.terminalTimeout, "terminal-timeout", 120*time.Second, "poll until every task is terminal, at most this long")
	fs.DurationVar(&f.steady, "steady", 10*time.Second, "then poll the finished tasks this long (steady GetTask figures)")
	fs.IntVar(&f.clkTck, "clk-tck", 100, "clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var missing []string
	for flagName, v := range map[string]string{"-name": f.name, "-addr": f.addr, "-out": f.out} {
		if v == "" {
			missing = append(missing, flagName)
		}
	}
	if f.pid <= 0 {
		missing = append(missing, "-pid")
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return fmt.Errorf("missing required flag(s) %s (load run -h lists them)", strings.Join(missing, ", "))
	}
	if f.n <= 0 || f.createInFlight <= 0 || f.getInFlight <= 0 || f.maxGets <= 0 || f.clkTck <= 0 {
		return fmt.Errorf("-n, -create-in-flight, -get-in-flight, -max-gets and -clk-tck must be > 0")
	}
	if err := requireLoopback(f.addr); err != nil {
		return err
	}
	f.serialized = os.Getenv("COMPAT_SERIALIZED")
	f.work = os.Getenv("COMPAT_WORK")
	if f.serialized == "" {
		return fmt.Errorf("COMPAT_SERIALIZED is not set: point it at the directory of serialized example tasks (<NN>_<name>_1.pb)")
	}
	if f.work == "" {
		return fmt.Errorf("COMPAT_WORK is not set: point it at a scratch directory for inputs and output prefixes")
	}
	if _, err := os.Stat(fmt.Sprintf("/proc/%d/stat", f.pid)); err != nil {
		return fmt.Errorf("-pid %d: no such process (%v)", f.pid, err)
	}

	res := &Result{Name: f.name, Addr: f.addr, Pid: f.pid, Includes: f.includes, N: f.n,
		CreateInFl: f.createInFlight, GetInFl: f.getInFlight, FinalPhases: map[string]int{}, NotSucceeded: map[string]int{}, SteadyPhases: map[string]int{}}
	err := run(f, res)
	if err != nil {
		res.Fatal = err.Error()
	}
	data, jerr := json.MarshalIndent(res, "", "  ")
	if jerr != nil {
		return jerr
	}
	if werr := os.WriteFile(f.out, data, 0o644); werr != nil {
		return fmt.Errorf("cannot write -out %s: %v", f.out, werr)
	}
	printResult(res)
	return err
}

func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q is not host:port: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback address: this load only targets 127.0.0.1/::1/localhost", addr)
	}
	return nil
}

// task is one created task: what GetTask needs and what it saw.
type task struct {
	meta     []byte
	prefix   string
	created  time.Time
	done     atomic.Bool
	doneSec  float64
	lastSeen atomic.Int32
	message  string // of a terminal answer other than SUCCEEDED
	// The last phase of the steady phase: shows whether a task reported lost was found again.
	steadySeen atomic.Int32
}

func run(f runFlags, res *Result) error {
	spec, file, err := loadTaskSpec(f.serialized, f.task)
	if err != nil {
		return err
	}
	res.Task = file
	dir := filepath.Join(f.work, f.name)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("cannot clear %s: %v", dir, err)
	}
	execName := fmt.Sprintf("cmp%x", time.Now().UnixNano()/int64(time.Millisecond))
	if len(execName) > 20 {
		execName = execName[:20]
	}
	tmpl, inputs, inputsURI, err := prepare(spec.GetTemplate(), dir)
	if err != nil {
		return err
	}

	conn, err := grpc.NewClient(f.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("cannot dial %s: %v", f.addr, err)
	}
	defer conn.Close()

	start := time.Now()
	if err := waitServing(conn, f.readyTimeout); err != nil {
		return err
	}
	res.ReadySec = time.Since(start).Seconds()
	res.RSSMiBReady = rssMiB(f.pid)

	// ListAgents: what propeller calls at start and every 10s.
	meta := service.NewAgentMetadataServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), f.callTimeout)
	agents, err := meta.ListAgents(ctx, &admin.ListAgentsRequest{})
	cancel()
	if err != nil {
		res.ListAgentsErr = err.Error()
	} else {
		for _, a := range agents.GetAgents() {
			var cats []string
			for _, c := range a.GetSupportedTaskCategories() {
				cats = append(cats, fmt.Sprintf("%s/%d", c.GetName(), c.GetVersion()))
				if c.GetName() == taskType && c.GetVersion() == 0 {
					res.ListAgentsOK = true
				}
			}
			res.Agents = append(res.Agents, fmt.Sprintf("%s [%s]", a.GetName(), strings.Join(cats, " ")))
		}
		if !res.ListAgentsOK {
			res.ListAgentsErr = "no agent lists task category example_plugin version 0"
		}
	}

	client := service.NewAsyncAgentServiceClient(conn)
	tasks := make([]*task, f.n)
	for i := range tasks {
		prefix := filepath.Join(dir, "out", fmt.Sprintf("n%d", i), "0")
		if err := os.MkdirAll(prefix, 0o755); err != nil {
			return fmt.Errorf("cannot create output prefix %s: %v", prefix, err)
		}
		tasks[i] = &task{prefix: "file://" + prefix}
		tasks[i].lastSeen.Store(-1)
		tasks[i].steadySeen.Store(-1)
	}

	// CreateTask: every task once, createInFlight at a time.
	res.Create = measure(f, func(record func(time.Duration, error)) {
		next := atomic.Int64{}
		var wg sync.WaitGroup
		for w := 0; w < min(f.createInFlight, f.n); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= f.n {
						return
					}
					req := createRequest(tmpl, inputs, inputsURI, tasks[i].prefix, dir, execName, i)
					ctx, cancel := context.WithTimeout(context.Background(), f.callTimeout)
					t0 := time.Now()
					resp, err := client.CreateTask(ctx, req)
					record(time.Since(t0), err)
					cancel()
					if err == nil {
						tasks[i].meta = resp.GetResourceMeta()
						tasks[i].created = time.Now()
					}
				}
			}()
		}
		wg.Wait()
	})
	var created []*task
	for _, t := range tasks {
		if t.meta != nil {
			created = append(created, t)
		}
	}
	res.CreatedOK = len(created)
	if len(created) == 0 {
		return fmt.Errorf("no CreateTask succeeded (%d errors, first: %s)", res.Create.Errors, res.Create.FirstError)
	}

	get := func(t *task) (*admin.Resource, time.Duration, error) {
		ctx, cancel := context.WithTimeout(context.Background(), f.callTimeout)
		defer cancel()
		t0 := time.Now()
		resp, err := client.GetTask(ctx, &admin.GetTaskRequest{
			TaskType:     taskType,
			TaskCategory: &admin.TaskCategory{Name: taskType, Version: 0},
			ResourceMeta: t.meta,
			OutputPrefix: t.prefix,
		})
		return resp.GetResource(), time.Since(t0), err
	}

	// GetTask until every task is terminal: getInFlight workers, each polling its share of the
	// tasks round-robin and dropping those that are done (propeller stops polling them too).
	res.TerminalBound = fmt.Sprintf("%s or %d calls", f.terminalTimeout, f.maxGets)
	res.GetUntilDone = measure(f, func(record func(time.Duration, error)) {
		deadline := time.Now().Add(f.terminalTimeout)
		calls := atomic.Int64{}
		var wg sync.WaitGroup
		for _, share := range shares(len(created), f.getInFlight) {
			wg.Add(1)
			go func(share []int) {
				defer wg.Done()
				for time.Now().Before(deadline) {
					polled := false
					for _, i := range share {
						t := created[i]
						if t.done.Load() || !time.Now().Before(deadline) {
							continue
						}
						if calls.Add(1) > int64(f.maxGets) {
							return
						}
						polled = true
						r, d, err := get(t)
						record(d, err)
						if err != nil {
							continue
						}
						phase := r.GetPhase()
						if !terminal(phase) {
							if !t.done.Load() {
								t.lastSeen.Store(int32(phase))
							}
						} else if t.done.CompareAndSwap(false, true) {
							// Several pollers may share a task: the first terminal answer wins.
							t.doneSec = time.Since(t.created).Seconds()
							t.lastSeen.Store(int32(phase))
							if phase != core.TaskExecution_SUCCEEDED {
								t.message = phase.String() + ": " + firstLine(r.GetMessage())
							}
						}
					}
					if !polled {
						return
					}
				}
			}(share)
		}
		wg.Wait()
	})
	var doneSecs []float64
	for _, t := range created {
		res.FinalPhases[core.TaskExecution_Phase(t.lastSeen.Load()).String()]++
		if t.message != "" {
			// Count alike messages together: numbers (task indices, ids) folded to '#'.
			m := digits.ReplaceAllString(t.message, "#")
			if len(m) > 300 {
				m = m[:300] + "..."
			}
			res.NotSucceeded[m]++
		}
		if t.done.Load() && t.message == "" {
			res.Succeeded++
		}
		if t.done.Load() {
			res.Terminal++
			doneSecs = append(doneSecs, t.doneSec)
		}
	}
	res.DoneP50Sec, res.DoneP99Sec = percentile(doneSecs, 50), percentile(doneSecs, 99)

	// Steady GetTask: the same in-flight polling of all created tasks for a fixed time, whatever
	// their phase (finished tasks answer from the server's memory/cache on both sides).
	res.GetSteady = measure(f, func(record func(time.Duration, error)) {
		deadline := time.Now().Add(f.steady)
		calls := atomic.Int64{}
		var wg sync.WaitGroup
		for _, share := range shares(len(created), f.getInFlight) {
			wg.Add(1)
			go func(share []int) {
				defer wg.Done()
				for {
					for _, i := range share {
						if !time.Now().Before(deadline) || calls.Add(1) > int64(f.maxGets) {
							return
						}
						r, d, err := get(created[i])
						record(d, err)
						if err == nil {
							created[i].steadySeen.Store(int32(r.GetPhase()))
						}
					}
				}
			}(share)
		}
		wg.Wait()
	})
	for _, t := range created {
		if p := t.steadySeen.Load(); p >= 0 {
			res.SteadyPhases[core.TaskExecution_Phase(p).String()]++
		}
	}
	res.PeakRSSMiB = peakRSSMiB(f.pid)
	for _, t := range created {
		if _, err := os.Stat(strings.TrimPrefix(t.prefix, "file://") + "/outputs.pb"); err == nil {
			res.OutputsPb++
		}
	}
	return nil
}

// shares splits task indices 0..n-1 over `workers` pollers; with fewer tasks than pollers, several
// pollers share a task (so `workers` calls are still in flight).
func shares(n, workers int) [][]int {
	out := make([][]int, workers)
	for w := 0; w < workers; w++ {
		if n >= workers {
			for i := w; i < n; i += workers {
				out[w] = append(out[w], i)
			}
		} else {
			out[w] = []int{w % n}
		}
	}
	return out
}

func terminal(p core.TaskExecution_Phase) bool {
	switch p {
	case core.TaskExecution_SUCCEEDED, core.TaskExecution_FAILED, core.TaskExecution_ABORTED,
		core.TaskExecution_RETRYABLE_FAILED:
		return true
	}
	return false
}

// measure runs one phase, giving it a thread-safe latency recorder, and adds the server's CPU and
// RSS over the phase.
func measure(f runFlags, body func(record func(time.Duration, error))) Phase {
	var mu sync.Mutex
	var lat []time.Duration
	ph := Phase{ErrorCodes: map[string]int{}}
	record := func(d time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		lat = append(lat, d)
		if err != nil {
			ph.Errors++
			ph.ErrorCodes[status.Code(err).String()]++
			if ph.FirstError == "" {
				ph.FirstError = err.Error()
			}
		}
	}
	threads0 := threadTicks(f.pid)
	cpu0 := cpuSeconds(f.pid, f.clkTck)
	t0 := time.Now()
	body(record)
	ph.WallSec = time.Since(t0).Seconds()
	ph.ServerCPUSec = cpuSeconds(f.pid, f.clkTck) - cpu0
	ph.CPUByThreads = cpuByGroup(threads0, threadTicks(f.pid), ph.ServerCPUSec, f.clkTck)
	ph.RSSMiBAfter = rssMiB(f.pid)
	ph.Calls = len(lat)
	ms := make([]float64, len(lat))
	for i, d := range lat {
		ms[i] = float64(d.Microseconds()) / 1000
	}
	ph.P50Ms, ph.P99Ms, ph.MaxMs = percentile(ms, 50), percentile(ms, 99), percentile(ms, 100)
	if ph.WallSec > 0 {
		ph.PerSec = float64(ph.Calls) / ph.WallSec
	}
	if ph.Calls > 0 {
		ph.CPUPerReqMs = ph.ServerCPUSec * 1000 / float64(ph.Calls)
	}
	if len(ph.ErrorCodes) == 0 {
		ph.ErrorCodes = nil
	}
	return ph
}

// percentile is the nearest-rank percentile (p in 0..100) of v; 0 for no values.
func percentile(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	rank := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(rank, len(s)-1))]
}

func waitServing(conn *grpc.ClientConn, timeout time.Duration) error {
	health := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{Service: "flyteidl.service.AsyncAgentService"})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		if err != nil {
			last = err
		} else {
			last = fmt.Errorf("health of flyteidl.service.AsyncAgentService is %s", resp.GetStatus())
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("server not SERVING within -ready-timeout %s: %v", timeout, last)
}

// loadTaskSpec reads the one <NN>_<name>_1.pb (admin.TaskSpec) whose name contains `want`.
func loadTaskSpec(dir, want string) (*admin.TaskSpec, string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*_1.pb"))
	if err != nil || len(files) == 0 {
		return nil, "", fmt.Errorf("COMPAT_SERIALIZED=%s holds no <NN>_<name>_1.pb task files", dir)
	}
	var match []string
	for _, file := range files {
		if strings.Contains(filepath.Base(file), want) {
			match = append(match, file)
		}
	}
	if len(match) != 1 {
		return nil, "", fmt.Errorf("-task %q matches %d task files in %s (want exactly one): %v", want, len(match), dir, match)
	}
	data, err := os.ReadFile(match[0])
	if err != nil {
		return nil, "", err
	}
	spec := &admin.TaskSpec{}
	if err := proto.Unmarshal(data, spec); err != nil {
		return nil, "", fmt.Errorf("%s is not an admin.TaskSpec: %v", match[0], err)
	}
	if got := spec.GetTemplate().GetType(); got != taskType {
		return nil, "", fmt.Errorf("%s has task type %q; the load needs an %s task (-task CountWords)", match[0], got, taskType)
	}
	if spec.GetTemplate().GetContainer() == nil {
		return nil, "", fmt.Errorf("%s has no container: the agent runs the container args", match[0])
	}
	return spec, filepath.Base(match[0]), nil
}

// prepare fills the registration placeholders (as flytectl register does), writes the template
// and a tiny inputs.pb under dir, and builds the inputs: every STRING input gets a short text.
func prepare(t *core.TaskTemplate, dir string) (*core.TaskTemplate, *core.LiteralMap, string, error) {
	t = proto.Clone(t).(*core.TaskTemplate)
	id := t.GetId()
	id.Project, id.Domain, id.Version = "flytesnacks", "development", "compat"
	inputs := &core.LiteralMap{Literals: map[string]*core.Literal{}}
	for name, v := range t.GetInterface().GetInputs().GetVariables() {
		if v.GetType().GetSimple() != core.SimpleType_STRING {
			return nil, nil, "", fmt.Errorf("task %s input %q is %v; the load only fills STRING inputs (use -task CountWords)", id.GetName(), name, v.GetType())
		}
		inputs.Literals[name] = &core.Literal{Value: &core.Literal_Scalar{Scalar: &core.Scalar{
			Value: &core.Scalar_Primitive{Primitive: &core.Primitive{
				Value: &core.Primitive_StringValue{StringValue: "the quick brown fox jumps over the lazy dog the end"}}}}}}
	}
	inDir := filepath.Join(dir, "inputs")
	if err := os.MkdirAll(inDir, 0o755); err != nil {
		return nil, nil, "", err
	}
	for file, msg := range map[string]proto.Message{filepath.Join(inDir, "inputs.pb"): inputs, filepath.Join(dir, "task.pb"): t} {
		data, err := proto.Marshal(msg)
		if err != nil {
			return nil, nil, "", err
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			return nil, nil, "", err
		}
	}
	return t, inputs, "file://" + filepath.Join(inDir, "inputs.pb"), nil
}

// createRequest is what propeller's connector plugin sends for task i: the template with its
// container args rendered ({{.input}}, {{.outputPrefix}}, {{.taskTemplatePath}}), the inputs, the
// output prefix and the task execution metadata of node n<i> of one execution.
func createRequest(t *core.TaskTemplate, inputs *core.LiteralMap, inputsURI, prefix, dir, execName string, i int) *admin.CreateTaskRequest {
	t = proto.Clone(t).(*core.TaskTemplate)
	c := t.GetContainer()
	r := strings.NewReplacer("{{.input}}", inputsURI, "{{.Input}}", inputsURI,
		"{{.outputPrefix}}", prefix, "{{.OutputPrefix}}", prefix,
		"{{.taskTemplatePath}}", "file://"+filepath.Join(dir, "task.pb"))
	for j, a := range c.GetArgs() {
		c.Args[j] = r.Replace(a)
	}
	nodeID := fmt.Sprintf("n%d", i)
	return &admin.CreateTaskRequest{
		Inputs:       inputs,
		Template:     t,
		OutputPrefix: prefix,
		TaskExecutionMetadata: &admin.TaskExecutionMetadata{
			TaskExecutionId: &core.TaskExecutionIdentifier{
				TaskId: t.GetId(),
				NodeExecutionId: &core.NodeExecutionIdentifier{
					NodeId: nodeID,
					ExecutionId: &core.WorkflowExecutionIdentifier{
						Project: "flytesnacks", Domain: "development", Name: execName,
					},
				},
				RetryAttempt: 0,
			},
			Namespace: "flytesnacks-development",
			Labels: map[string]string{
				"execution-id": execName, "node-id": nodeID, "project": "flytesnacks",
				"domain": "development", "workflow-name": "compat-load", "task-name": "countwords",
				"interruptible": "false",
			},
			Annotations:       map[string]string{"compat/load": "true"},
			K8SServiceAccount: "default",
		},
	}
}

func printResult(r *Result) {
	fmt.Printf("== %s (%s, pid %d): %s\n", r.Name, r.Addr, r.Pid, r.Includes)
	if r.Fatal != "" {
		fmt.Printf("   FATAL: %s\n", r.Fatal)
	}
	fmt.Printf("   ready after %.1f s; ListAgents ok=%v %v %s\n", r.ReadySec, r.ListAgentsOK, r.Agents, r.ListAgentsErr)
	p := func(label string, ph Phase) {
		fmt.Printf("   %-22s %7d calls %5d errors %v  p50 %.3f ms  p99 %.3f ms  max %.1f ms  %.0f/s  cpu %.3f ms/req  rss %.0f MiB\n",
			label, ph.Calls, ph.Errors, ph.ErrorCodes, ph.P50Ms, ph.P99Ms, ph.MaxMs, ph.PerSec, ph.CPUPerReqMs, ph.RSSMiBAfter)
		fmt.Printf("   %-22s server CPU %.2f s by threads: %s\n", "", ph.ServerCPUSec, threadSummary(ph))
		if ph.FirstError != "" {
			fmt.Printf("   %-22s first error: %s\n", "", firstLine(ph.FirstError))
		}
	}
	p("CreateTask", r.Create)
	p("GetTask until terminal", r.GetUntilDone)
	p("GetTask steady", r.GetSteady)
	fmt.Printf("   created %d/%d, terminal %d/%d within %s, final phases %v, outputs.pb written %d\n",
		r.CreatedOK, r.N, r.Terminal, r.CreatedOK, r.TerminalBound, r.FinalPhases, r.OutputsPb)
	fmt.Printf("   last phases seen in the steady phase %v\n", r.SteadyPhases)
	fmt.Printf("   all %d tasks created and terminal %.1f s after the first CreateTask; a task was seen terminal p50 %.2f s / p99 %.2f s after its CreateTask returned (polling starts after the last CreateTask)\n",
		r.N, r.Create.WallSec+r.GetUntilDone.WallSec, r.DoneP50Sec, r.DoneP99Sec)
	for m, c := range r.NotSucceeded {
		fmt.Printf("   %d task(s) ended %s\n", c, m)
	}
	fmt.Printf("   server RSS ready %.0f MiB, peak %.0f MiB\n", r.RSSMiBReady, r.PeakRSSMiB)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}

// threadSummary lists the phase's biggest CPU users by thread group.
func threadSummary(ph Phase) string {
	type g struct {
		name string
		sec  float64
	}
	var gs []g
	for n, sec := range ph.CPUByThreads {
		gs = append(gs, g{n, sec})
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].sec > gs[j].sec })
	var parts []string
	for i, x := range gs {
		if i == 6 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("%q %.2fs", x.name, x.sec))
	}
	return strings.Join(parts, ", ")
}
