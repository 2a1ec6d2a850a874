package e2e

// What propeller does around the connector plugin, rebuilt from flyteplugins' and flytepropeller's
// own pieces: the plugin is registered by connector.RegisterConnectorPlugin (as
// flytepropeller/pkg/controller/nodes/task/handler.go Setup does), configured from YAML through
// flytestdlib's viper accessor, loaded through the plugin registry (pluginmachinery's
// internal/webapi CorePlugin: launcher, auto-refresh cache, monitor), fed real flytestdlib
// storage on the local disk, real ioutils readers/writers (a BufferedOutputWriter, as propeller's
// task context uses), a gob-encoded plugin state (as propeller's plugin state manager stores it),
// and, on success, propeller's own task.Handler.ValidateOutput.

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/proto"
	v1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	idl "github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery"
	pcore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
	coremocks "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core/mocks"
	pio "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/io"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/ioutils"
	"github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/connector"
	"github.com/flyteorg/flyte/flytepropeller/pkg/apis/flyteworkflow/v1alpha1"
	"github.com/flyteorg/flyte/flytepropeller/pkg/controller/nodes/task"
	"github.com/flyteorg/flyte/flytestdlib/config"
	"github.com/flyteorg/flyte/flytestdlib/config/viper"
	"github.com/flyteorg/flyte/flytestdlib/contextutils"
	"github.com/flyteorg/flyte/flytestdlib/promutils"
	"github.com/flyteorg/flyte/flytestdlib/promutils/labeled"
	"github.com/flyteorg/flyte/flytestdlib/storage"
)

var (
	storeOnce sync.Once
	store     *storage.DataStore
	storeErr  error
	pluginSeq int
	configMu  sync.Mutex
)

// dataStore is flytestdlib's stow "local" store rooted at "/": a reference file:///abs/path is
// container "" + key "abs/path" = /abs/path, the same file jflyte's file:// storage opens.
func dataStore(t *testing.T) *storage.DataStore {
	storeOnce.Do(func() {
		store, storeErr = storage.NewDataStore(&storage.Config{
			Type:                  storage.TypeLocal,
			InitContainer:         "tmp",
			MultiContainerEnabled: true,
			Stow:                  storage.StowConfig{Kind: "local", Config: map[string]string{"path": "/"}},
		}, promutils.NewTestScope())
	})
	if storeErr != nil {
		t.Fatalf("flytestdlib local storage: %v", storeErr)
	}
	return store
}

func fileRef(path string) storage.DataReference {
	return storage.DataReference("file://" + path)
}

// loadConfig writes yaml to a file and loads it with flytestdlib's viper accessor in strict mode
// (unknown keys are errors), the way propeller reads its config files.
func loadConfig(t *testing.T, yaml string) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "propeller.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	acc := viper.NewAccessor(config.Options{SearchPaths: []string{f}, StrictMode: true})
	if err := acc.UpdateConfig(context.Background()); err != nil {
		t.Fatalf("propeller config rejected: %v\n%s", err, yaml)
	}
}

// connectorYAML is propeller's plugins.connector-service section routing example_plugin and flink to one
// connector entry (the shape of our propeller-connector overlay) with the given timeouts.
func connectorYAML(defaultEndpoint, routedEndpoint string, resync time.Duration, timeouts map[string]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `plugins:
  connector-service:
    webApi:
      caching:
        size: 1000
        resyncInterval: %s
        workers: 2
        maxSystemFailures: 5
    defaultConnector:
      endpoint: %q
      insecure: true
      defaultTimeout: 10s
    connectors:
      flyte-operator-agent:
        endpoint: %q
        insecure: true
        defaultTimeout: 0s
        timeouts:
`, resync, defaultEndpoint, routedEndpoint)
	for k, v := range timeouts {
		// A list of one-key maps: viper lowercases map keys, flytestdlib's sliceToMapHook and
		// case restoration keep the keys of list items as written.
		fmt.Fprintf(&b, "          - %s: %s\n", k, v)
	}
	b.WriteString(`    connectorForTaskTypes:
      example_plugin: flyte-operator-agent
      flink: flyte-operator-agent
    pollInterval: 10s
`)
	return b.String()
}

var defaultTimeouts = map[string]string{"CreateTask": "10s", "GetTask": "10s", "DeleteTask": "10s", "ListConnectors": "5s"}

// loadedPlugin is the connector plugin as propeller holds it.
type loadedPlugin struct {
	plugin  pcore.Plugin
	service *connector.ConnectorService
	entry   pcore.PluginEntry
}

// newPlugin registers and loads the connector plugin with the current config, as propeller's
// task handler Setup does (RegisterConnectorPlugin, then LoadPlugin of the registry entry).
func newPlugin(t *testing.T) loadedPlugin {
	t.Helper()
	configMu.Lock()
	defer configMu.Unlock()
	svc := &connector.ConnectorService{}
	connector.RegisterConnectorPlugin(svc)
	var entry *pcore.PluginEntry
	for _, e := range pluginmachinery.PluginRegistry().GetCorePlugins() {
		if e.ID == connector.ID {
			e := e
			entry = &e
		}
	}
	if entry == nil {
		t.Fatal("connector-service is not in the plugin registry")
	}
	pluginSeq++
	p, err := entry.LoadPlugin(context.Background(), setupContext(fmt.Sprintf("connector_%d", pluginSeq)))
	if err != nil {
		t.Fatalf("LoadPlugin(connector-service): %v", err)
	}
	svc.CorePlugin = p
	return loadedPlugin{plugin: p, service: svc, entry: *entry}
}

func setupContext(scope string) pcore.SetupContext {
	labeled.SetMetricKeys(contextutils.NamespaceKey)
	rr := &coremocks.ResourceRegistrar{}
	rr.EXPECT().RegisterResourceQuota(mock.Anything, mock.Anything, mock.Anything).Return(nil).Maybe()
	sc := &coremocks.SetupContext{}
	sc.EXPECT().MetricsScope().Return(promutils.NewScope(scope)).Maybe()
	sc.EXPECT().ResourceRegistrar().Return(rr).Maybe()
	return sc
}

// gobState is propeller's plugin state: whatever the plugin Puts is gob-encoded and stored in
// the FlyteWorkflow CR, and decoded into the plugin's struct on the next round.
type gobState struct {
	mu      sync.Mutex
	version uint8
	data    []byte
}

func (s *gobState) GetStateVersion() uint8 { return s.version }

func (s *gobState) Get(v interface{}) (uint8, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data == nil {
		return s.version, nil
	}
	return s.version, gob.NewDecoder(bytes.NewReader(s.data)).Decode(v)
}

func (s *gobState) Put(version uint8, v interface{}) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.data = version, buf.Bytes()
	return nil
}

func (s *gobState) Reset() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.data = nil
	return nil
}

// webapiState mirrors the fields of pluginmachinery/internal/webapi.State that a test reads back
// from the gob-encoded plugin state (gob matches fields by name).
type webapiState struct {
	Phase            int
	ResourceMeta     interface{}
	SyncFailureCount int
	ErrorMessage     string
}

func (s *gobState) decoded(t *testing.T) webapiState {
	var st webapiState
	if _, err := s.Get(&st); err != nil {
		t.Fatalf("decode plugin state: %v", err)
	}
	return st
}

// taskRun is one task execution attempt as propeller sees it.
type taskRun struct {
	name         string // the generated name (propeller's unique, per-attempt id)
	id           idl.TaskExecutionIdentifier
	template     *idl.TaskTemplate
	outputPrefix storage.DataReference
	tctx         pcore.TaskExecutionContext
	state        *gobState
	ow           *ioutils.BufferedOutputWriter
	inputs       pio.InputReader
	reader       *taskReader
	store        *storage.DataStore
	phases       []pcore.Phase
	lastInfo     pcore.PhaseInfo
	// maxSyncFailures is the highest SyncFailureCount (failed GetTask polls, never reset; the
	// cache gives up at webApi.caching.maxSystemFailures) seen in the plugin state.
	maxSyncFailures int
}

type taskReader struct {
	template *idl.TaskTemplate
	path     storage.DataReference
}

func (r *taskReader) Read(context.Context) (*idl.TaskTemplate, error) { return r.template, nil }
func (r *taskReader) Path(context.Context) (storage.DataReference, error) {
	return r.path, nil
}

// runSpec names one attempt: execution, node lineage, attempt, where its data lives.
type runSpec struct {
	execution    string // execution name
	nodeID       string // node_execution_id.node_id (NOT unique within an execution)
	uniqueNodeID string // the lineage propeller makes unique
	attempt      uint32
	dir          string // local directory for inputs and outputs (the output prefix)
	namespace    string
}

func newTaskRun(t *testing.T, spec runSpec, template *idl.TaskTemplate, inputs *idl.LiteralMap) *taskRun {
	t.Helper()
	ctx := context.Background()
	ds := dataStore(t)
	if spec.namespace == "" {
		spec.namespace = "flytesnacks-development"
	}
	if err := os.MkdirAll(spec.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	inputPrefix := fileRef(filepath.Join(spec.dir, "inputs"))
	outputPrefix := fileRef(filepath.Join(spec.dir, "out"))
	tpl := proto.Clone(template).(*idl.TaskTemplate)
	tr := &taskReader{template: tpl, path: fileRef(filepath.Join(spec.dir, "task.pb"))}
	if err := ds.WriteProtobuf(ctx, tr.path, storage.Options{}, tpl); err != nil {
		t.Fatalf("write task.pb: %v", err)
	}
	inPaths := ioutils.NewInputFilePaths(ctx, ds, inputPrefix)
	if err := ds.WriteProtobuf(ctx, inPaths.GetInputPath(), storage.Options{}, inputs); err != nil {
		t.Fatalf("write inputs.pb: %v", err)
	}
	inReader := ioutils.NewRemoteFileInputReader(ctx, ds, inPaths)
	raw := ioutils.NewRawOutputPaths(ctx, fileRef(filepath.Join(spec.dir, "raw")))
	outPaths := ioutils.NewCheckpointRemoteFilePaths(ctx, ds, outputPrefix, raw, "")
	ow := ioutils.NewBufferedOutputWriter(ctx, outPaths)

	id := idl.TaskExecutionIdentifier{
		TaskId: tpl.GetId(),
		NodeExecutionId: &idl.NodeExecutionIdentifier{
			NodeId: spec.nodeID,
			ExecutionId: &idl.WorkflowExecutionIdentifier{
				Project: "flytesnacks", Domain: "development", Name: spec.execution,
			},
		},
		RetryAttempt: spec.attempt,
	}
	generated := fmt.Sprintf("%s-%s-%d", spec.execution, spec.uniqueNodeID, spec.attempt)

	tid := &coremocks.TaskExecutionID{}
	tid.EXPECT().GetID().Return(id).Maybe()
	tid.EXPECT().GetGeneratedName().Return(generated).Maybe()
	tid.EXPECT().GetGeneratedNameWith(mock.Anything, mock.Anything).Return(generated, nil).Maybe()
	tid.EXPECT().GetUniqueNodeID().Return(spec.uniqueNodeID).Maybe()

	overrides := &coremocks.TaskOverrides{}
	overrides.EXPECT().GetConfig().Return(&v1.ConfigMap{}).Maybe()
	overrides.EXPECT().GetResources().Return(&v1.ResourceRequirements{}).Maybe()
	overrides.EXPECT().GetExtendedResources().Return(&idl.ExtendedResources{}).Maybe()
	overrides.EXPECT().GetContainerImage().Return("").Maybe()
	overrides.EXPECT().GetPodTemplate().Return(nil).Maybe()

	meta := &coremocks.TaskExecutionMetadata{}
	meta.EXPECT().GetTaskExecutionID().Return(tid).Maybe()
	meta.EXPECT().GetNamespace().Return(spec.namespace).Maybe()
	meta.EXPECT().GetLabels().Return(map[string]string{"execution-id": spec.execution, "node-id": spec.nodeID}).Maybe()
	meta.EXPECT().GetAnnotations().Return(map[string]string{}).Maybe()
	meta.EXPECT().GetK8sServiceAccount().Return("default").Maybe()
	meta.EXPECT().GetEnvironmentVariables().Return(map[string]string{}).Maybe()
	meta.EXPECT().GetSecurityContext().Return(idl.SecurityContext{RunAs: &idl.Identity{K8SServiceAccount: "default"}}).Maybe()
	meta.EXPECT().GetOverrides().Return(overrides).Maybe()
	meta.EXPECT().GetMaxAttempts().Return(uint32(1)).Maybe()
	meta.EXPECT().IsInterruptible().Return(false).Maybe()
	meta.EXPECT().GetOwnerReference().Return(metav1.OwnerReference{}).Maybe()
	meta.EXPECT().GetOwnerID().Return(types.NamespacedName{Namespace: spec.namespace, Name: spec.execution}).Maybe()
	meta.EXPECT().GetPlatformResources().Return(&v1.ResourceRequirements{}).Maybe()
	meta.EXPECT().GetInterruptibleFailureThreshold().Return(int32(2)).Maybe()
	meta.EXPECT().GetConsoleURL().Return("").Maybe()

	rm := &coremocks.ResourceManager{}
	rm.EXPECT().AllocateResource(mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(pcore.AllocationStatusGranted, nil).Maybe()
	rm.EXPECT().ReleaseResource(mock.Anything, mock.Anything, mock.Anything).Return(nil).Maybe()

	state := &gobState{}
	tctx := &coremocks.TaskExecutionContext{}
	tctx.EXPECT().TaskReader().Return(tr).Maybe()
	tctx.EXPECT().InputReader().Return(inReader).Maybe()
	tctx.EXPECT().OutputWriter().Return(ow).Maybe()
	tctx.EXPECT().DataStore().Return(ds).Maybe()
	tctx.EXPECT().TaskExecutionMetadata().Return(meta).Maybe()
	tctx.EXPECT().PluginStateReader().Return(state).Maybe()
	tctx.EXPECT().PluginStateWriter().Return(state).Maybe()
	tctx.EXPECT().ResourceManager().Return(rm).Maybe()
	tctx.EXPECT().TaskRefreshIndicator().Return(func(context.Context) {}).Maybe()

	return &taskRun{name: generated, id: id, template: tpl, outputPrefix: outputPrefix, tctx: tctx,
		state: state, ow: ow, inputs: inReader, reader: tr, store: ds}
}

// round is one evaluation of the node by propeller: Handle, and on success the task handler's
// ValidateOutput (flytepropeller pkg/controller/nodes/task/handler.go, handleTaskSuccess path),
// whose error document turns the success into a failure (ObservedExecutionError:
// recoverable -> retryable failure, otherwise permanent, with the error's kind).
func (r *taskRun) round(ctx context.Context, p pcore.Plugin) (pcore.PhaseInfo, error) {
	trns, err := p.Handle(ctx, r.tctx)
	if err != nil {
		return pcore.PhaseInfoUndefined, err
	}
	var st webapiState
	if _, err := r.state.Get(&st); err == nil && st.SyncFailureCount > r.maxSyncFailures {
		r.maxSyncFailures = st.SyncFailureCount
	}
	info := trns.Info()
	if info.Phase() == pcore.PhaseSuccess {
		committer := ioutils.NewRemoteFileOutputWriter(ctx, r.store, r.ow)
		ee, err := (&task.Handler{}).ValidateOutput(ctx, r.id.GetNodeExecutionId().GetNodeId(), r.inputs,
			r.ow.GetReader(), committer, v1alpha1.ExecutionConfig{}, r.reader)
		if err != nil {
			return pcore.PhaseInfoUndefined, fmt.Errorf("ValidateOutput: %w", err)
		}
		if ee != nil {
			phase := pcore.PhasePermanentFailure
			if ee.IsRecoverable {
				phase = pcore.PhaseRetryableFailure
			}
			info = pcore.PhaseInfoFailed(phase, ee.ExecutionError, info.Info())
		}
	}
	return info, nil
}

// drive evaluates the node every interval until a terminal phase or the timeout; an error of a
// round is what propeller would retry on the next round (it is collected, not fatal).
func (r *taskRun) drive(t *testing.T, p pcore.Plugin, timeout time.Duration) (pcore.PhaseInfo, []error) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(timeout)
	var errs []error
	for {
		info, err := r.round(ctx, p)
		if err != nil {
			errs = append(errs, err)
		} else {
			r.lastInfo = info
			if len(r.phases) == 0 || r.phases[len(r.phases)-1] != info.Phase() {
				r.phases = append(r.phases, info.Phase())
			}
			if info.Phase().IsTerminal() {
				if ferr := p.Finalize(ctx, r.tctx); ferr != nil {
					errs = append(errs, fmt.Errorf("Finalize: %w", ferr))
				}
				return info, errs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s not terminal after %s: phases %v, last %v, errors %v", r.name, timeout, r.phases, r.lastInfo, errs)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// abortLikePropeller is flytepropeller's task Handler.Abort rule (handler.go): a node whose
// plugin phase is already terminal is not aborted, otherwise plugin.Abort then Finalize.
func (r *taskRun) abortLikePropeller(ctx context.Context, p pcore.Plugin) (called bool, err error) {
	if len(r.phases) > 0 && r.phases[len(r.phases)-1].IsTerminal() {
		return false, nil
	}
	if err := p.Abort(ctx, r.tctx); err != nil {
		return true, err
	}
	return true, p.Finalize(ctx, r.tctx)
}

// phaseResourcesCreated is pluginmachinery/internal/webapi.PhaseResourcesCreated.
const phaseResourcesCreated = 2

// launch evaluates the node until the plugin has created the remote resource (token allocation,
// then Create), and returns the plugin state.
func (r *taskRun) launch(t *testing.T, p pcore.Plugin) webapiState {
	t.Helper()
	for i := 0; i < 10; i++ {
		info, err := r.round(context.Background(), p)
		if err != nil {
			t.Fatalf("round %d of %s: %v", i, r.name, err)
		}
		r.phases = append(r.phases, info.Phase())
		if info.Phase().IsTerminal() {
			t.Fatalf("%s ended %v (%v) before its resource was created", r.name, info.Phase(), info.Err())
		}
		if st := r.state.decoded(t); st.Phase == phaseResourcesCreated {
			return st
		}
	}
	t.Fatalf("%s: no resource created after 10 rounds", r.name)
	return webapiState{}
}

// outputs reads <output prefix>/outputs.pb the way propeller's output reader does.
func (r *taskRun) outputs(t *testing.T) *idl.LiteralMap {
	t.Helper()
	ctx := context.Background()
	paths := ioutils.NewReadOnlyOutputFilePaths(ctx, r.store, r.outputPrefix)
	rd := ioutils.NewRemoteFileOutputReader(ctx, r.store, paths, 0)
	lm, ee, err := rd.Read(ctx)
	if err != nil {
		t.Fatalf("read outputs of %s: %v", r.name, err)
	}
	if ee != nil {
		t.Fatalf("task %s wrote an error document instead of outputs: %v", r.name, ee)
	}
	return lm
}

func stringInput(name, value string) *idl.LiteralMap {
	return &idl.LiteralMap{Literals: map[string]*idl.Literal{name: {Value: &idl.Literal_Scalar{Scalar: &idl.Scalar{
		Value: &idl.Scalar_Primitive{Primitive: &idl.Primitive{Value: &idl.Primitive_StringValue{StringValue: value}}}}}}}}
}

func intOut(lm *idl.LiteralMap, name string) (int64, bool) {
	l, ok := lm.GetLiterals()[name]
	if !ok {
		return 0, false
	}
	p := l.GetScalar().GetPrimitive()
	if p == nil {
		return 0, false
	}
	return p.GetInteger(), true
}

func stringOut(lm *idl.LiteralMap, name string) (string, bool) {
	l, ok := lm.GetLiterals()[name]
	if !ok {
		return "", false
	}
	return l.GetScalar().GetPrimitive().GetStringValue(), true
}

// loadTemplate reads the TaskTemplate of a serialized task (flytectl layout: <NN>_<name>_1.pb is an
// admin.TaskSpec) whose name ends with suffix.
func loadTemplate(t *testing.T, serialized, suffix string) *idl.TaskTemplate {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(serialized, "*_1.pb"))
	for _, m := range matches {
		if !strings.HasSuffix(m, suffix+"_1.pb") {
			continue
		}
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		spec := &admin.TaskSpec{}
		if err := proto.Unmarshal(b, spec); err != nil {
			t.Fatalf("%s is not an admin.TaskSpec: %v", m, err)
		}
		return spec.GetTemplate()
	}
	t.Fatalf("no serialized task *%s_1.pb in %s (COMPAT_SERIALIZED)", suffix, serialized)
	return nil
}

// waitServing waits for the agent's grpc.health.v1 to answer SERVING (informers synced).
func waitServing(endpoint string, timeout time.Duration) error {
	conn, err := grpc.NewClient(endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	hc := healthpb.NewHealthClient(conn)
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		resp, err := hc.Check(ctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		if err != nil {
			last = err
		} else {
			last = fmt.Errorf("health status %v", resp.GetStatus())
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("agent at %s not SERVING after %s: %v", endpoint, timeout, last)
}
