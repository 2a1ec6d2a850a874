package e2e

// Scenarios that need an API server outliving the agent: $COMPAT_AGENT_HOME/bin/embedded-cluster
// (simulated Kubernetes API with the simulated Spark operator and jflyte driver, real HTTP) and
// the agent in cluster mode against its kubeconfig.

import (
	"context"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	pcore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"

	"github.com/flyteplugin/compat/harness"
)

const clusterNamespace = "flytesnacks-development"

var sparkApps = schema.GroupVersionResource{Group: "sparkoperator.k8s.io", Version: "v1beta2", Resource: "sparkapplications"}

func startCluster(t *testing.T, createLatency string) *harness.Cluster {
	t.Helper()
	e := testEnv(t)
	c, err := harness.StartCluster(e.agentHome, e.userCode, e.work, createLatency, 120*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop(20 * time.Second) })
	return c
}

func startClusterAgent(t *testing.T, c *harness.Cluster, port, metricsPort int) *harness.Agent {
	t.Helper()
	e := testEnv(t)
	a, err := harness.StartAgent(harness.AgentOptions{Home: e.agentHome, Kubeconfig: c.Kubeconfig,
		Namespaces: clusterNamespace, HMACKey: hmacKey, Port: port, MetricsPort: metricsPort, LogDir: e.work, Env: agentEnv})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Stop(30 * time.Second) })
	if err := waitServing(a.Endpoint(), 120*time.Second); err != nil {
		t.Fatalf("%v\nagent log (%s):\n%s", err, a.LogPath, a.Tail(40))
	}
	return a
}

func listSparkApps(t *testing.T, c *harness.Cluster) ([]string, error) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", c.Kubeconfig, err)
	}
	client, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	list, err := client.Resource(sparkApps).Namespace(clusterNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, item := range list.Items {
		state, _, _ := unstructuredString(item.Object, "status", "applicationState", "state")
		names = append(names, fmt.Sprintf("%s(state=%q, deleting=%v)", item.GetName(), state, item.GetDeletionTimestamp() != nil))
	}
	return names, nil
}

func unstructuredString(obj map[string]interface{}, fields ...string) (string, bool, error) {
	var cur interface{} = obj
	for _, f := range fields {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return "", false, nil
		}
		cur, ok = m[f]
		if !ok {
			return "", false, nil
		}
	}
	s, ok := cur.(string)
	return s, ok, nil
}

// A CreateTask slower than its deadline (the API server takes 5s per create, the connector
// entry's CreateTask timeout is 2s): propeller records a retryable failure at ~2s and will make a
// new attempt; the agent must not leave the first attempt's resource running behind it.
func TestSlowCreateTaskLeavesNoResource(t *testing.T) {
	e := testEnv(t)
	c := startCluster(t, "PT5S")
	a := startClusterAgent(t, c, 0, 0)
	loadConfig(t, connectorYAML(deadEndpoint, a.Endpoint(), 5*time.Second, map[string]string{
		"CreateTask": "2s", "GetTask": "10s", "DeleteTask": "10s", "ListConnectors": "5s"}))
	lp := newPlugin(t)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	run := newTaskRun(t, runSpec{execution: "slowcreate", nodeID: "n0", uniqueNodeID: "n0", namespace: clusterNamespace,
		dir: workDir(t, "slowcreate")}, tpl, stringInput("text", "slow create"))
	start := time.Now()
	info, errs := run.drive(t, lp.plugin, 60*time.Second)
	elapsed := time.Since(start)
	if info.Phase() != pcore.PhaseRetryableFailure {
		t.Fatalf("phase %v (%v) after %v, want RetryableFailure from the CreateTask deadline; errors %v", info.Phase(), info.Err(), elapsed, errs)
	}
	if elapsed > 8*time.Second {
		t.Errorf("the create failed after %v: the 2s CreateTask deadline was not applied", elapsed)
	}
	// The slow API server finishes the create it was given ~5s after the call; the agent has
	// until 25s after the failure to remove what its abandoned create left.
	var names []string
	err := harness.WaitFor(25*time.Second, time.Second, func() error {
		var lerr error
		names, lerr = listSparkApps(t, c)
		if lerr != nil {
			return lerr
		}
		if len(names) > 0 {
			return errorf("left: %v", names)
		}
		return nil
	})
	if err != nil {
		t.Errorf("CreateTask gave up at its deadline but the agent left resources behind: %v", err)
	}
}

// The agent restarts between two polls (same port, same HMAC key, same cluster): the task still
// completes with its outputs, and the failed polls in between stay below propeller's GetTask
// error budget (webApi.caching.maxSystemFailures = 5 failures, never reset). Resync is 10s here
// (propeller's default is 30s, which gives a restart three times longer).
func TestAgentRestartBetweenPolls(t *testing.T) {
	e := testEnv(t)
	c := startCluster(t, "")
	port, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	mport, err := harness.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	first := startClusterAgent(t, c, port, mport)
	loadConfig(t, connectorYAML(deadEndpoint, first.Endpoint(), 10*time.Second, defaultTimeouts))
	lp := newPlugin(t)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	run := newTaskRun(t, runSpec{execution: "restart", nodeID: "n0", uniqueNodeID: "n0", namespace: clusterNamespace,
		dir: workDir(t, "restart")}, tpl, stringInput("text", "survives a restart"))
	run.launch(t, lp.plugin)
	first.Stop(30 * time.Second)
	restartStart := time.Now()
	second := startClusterAgent(t, c, port, mport)
	t.Logf("info: agent restarted in %v (log %s)", time.Since(restartStart), second.LogPath)
	info, errs := run.drive(t, lp.plugin, 150*time.Second)
	if info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("after the restart the task ended %v (%v); failed polls %d; errors %v", info.Phase(), info.Err(), run.maxSyncFailures, errs)
	}
	if run.maxSyncFailures >= 5 {
		t.Errorf("the restart cost %d failed GetTask polls: propeller stops polling after 5", run.maxSyncFailures)
	}
	t.Logf("info: failed GetTask polls across the restart: %d", run.maxSyncFailures)
	if w, _ := intOut(run.outputs(t), "words"); w != 3 {
		t.Errorf("words = %d, want 3", w)
	}
}
