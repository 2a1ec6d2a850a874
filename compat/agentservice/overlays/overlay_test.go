// Package overlays checks our propeller-agent-service overlay against the real agent-service
// config section (flyteplugins v1.16.8; the keys are those of v1.14.1, see ../e2e) read by
// flytestdlib's viper accessor in strict mode: example_plugin routed to the agent's entry, the
// deadlines on that entry, ListAgents as the list call's key.
package overlays

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/agent"
	"github.com/flyteorg/flyte/flytestdlib/config"
	"github.com/flyteorg/flyte/flytestdlib/config/viper"
)

const (
	overlay  = "propeller-agent-service"
	entryID  = "flyte-operator-agent"
	endpoint = "dns:///flyte-operator-agent.flyte.svc.cluster.local:8000"
)

type configMap struct {
	Kind     string            `yaml:"kind"`
	Metadata map[string]string `yaml:"metadata"`
	Data     map[string]string `yaml:"data"`
}

func readConfigMap(t *testing.T) configMap {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "backend-plugin", "deploy", "overlays", overlay, "propeller-config.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var cm configMap
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	if cm.Kind != "ConfigMap" || cm.Metadata["name"] != "flyte-propeller-config" {
		t.Fatalf("%s is not the ConfigMap flyte-propeller-config", p)
	}
	return cm
}

func TestOverlayDoesNotReplaceTheEnabledPluginsList(t *testing.T) {
	for key, body := range readConfigMap(t).Data {
		var doc map[string]interface{}
		if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("data key %s: %v", key, err)
		}
		if tasks, ok := doc["tasks"].(map[string]interface{}); ok {
			if tp, ok := tasks["task-plugins"].(map[string]interface{}); ok {
				if _, ok := tp["enabled-plugins"]; ok {
					t.Errorf("data key %s sets tasks.task-plugins.enabled-plugins: applying it replaces the user's list; document the line to add instead", key)
				}
			}
		}
	}
}

func TestOverlayConfigReadByTheAgentServicePlugin(t *testing.T) {
	cm := readConfigMap(t)
	body, ok := cm.Data["agent_service.yaml"]
	if !ok {
		t.Fatalf("the overlay has no agent_service.yaml key")
	}
	f := filepath.Join(t.TempDir(), "agent_service.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	acc := viper.NewAccessor(config.Options{SearchPaths: []string{f}, StrictMode: true})
	if err := acc.UpdateConfig(context.Background()); err != nil {
		t.Fatalf("propeller rejects agent_service.yaml (strict mode): %v", err)
	}
	cfg := agent.GetConfig()
	routed, ok := cfg.AgentForTaskTypes["example_plugin"]
	if !ok {
		t.Fatalf("agentForTaskTypes does not route example_plugin: %v", cfg.AgentForTaskTypes)
	}
	entry, ok := cfg.AgentDeployments[routed]
	if !ok || entry == nil {
		t.Fatalf("example_plugin is routed to %q, which is not an entry of agents", routed)
	}
	if routed != entryID || entry.Endpoint != endpoint || !entry.Insecure {
		t.Errorf("routed entry %q = {%q insecure %v}, want %q at %q, insecure", routed, entry.Endpoint, entry.Insecure, entryID, endpoint)
	}
	// getFinalTimeout (agent/client.go): Timeouts[operation], else DefaultTimeout; 0 = none.
	want := map[string]time.Duration{"CreateTask": 10 * time.Second, "GetTask": 10 * time.Second,
		"DeleteTask": 10 * time.Second, "ListAgents": 5 * time.Second}
	for op, d := range want {
		got, ok := entry.Timeouts[op]
		if !ok {
			t.Errorf("the routed entry has no %s timeout (read: %v)", op, entry.Timeouts)
		} else if got.Duration != d {
			t.Errorf("%s timeout = %v, want %v", op, got.Duration, d)
		}
	}
	for k := range entry.Timeouts {
		if _, known := want[k]; !known {
			t.Errorf("timeout key %q is not an operation agent-service looks up (CreateTask, GetTask, DeleteTask, ListAgents; ListConnectors is connector-service's)", k)
		}
	}
	if entry.DefaultTimeout.Duration <= 0 {
		t.Errorf("the routed entry has no defaultTimeout")
	}
	if cfg.DefaultAgent.Endpoint != "" {
		t.Errorf("the overlay sets defaultAgent.endpoint=%q: it would take over the user's default agent (and before 1.16 the agent listed on two entries is routed to either)", cfg.DefaultAgent.Endpoint)
	}
}
