// Package overlays checks that our kustomize overlay for propeller means, to the real
// connector-service config section of flyteplugins v1.16.8 read by flytestdlib's viper accessor in
// strict mode (unknown keys are errors), what it intends: example_plugin routed to the agent's
// entry, and the deadlines on that routed entry. It runs in its own test process so the global
// config sections start from their defaults.
package overlays

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/flyteorg/flyte/flyteplugins/go/tasks/plugins/webapi/connector"
	"github.com/flyteorg/flyte/flytestdlib/config"
	"github.com/flyteorg/flyte/flytestdlib/config/viper"
)

const (
	overlay  = "propeller-connector"
	entryID  = "flyte-operator-agent"
	endpoint = "dns:///flyte-operator-agent.flyte.svc.cluster.local:8000"
)

func overlayDir(t *testing.T) string {
	return namedOverlayDir(t, overlay)
}

func namedOverlayDir(t *testing.T, name string) string {
	_, file, _, _ := runtime.Caller(0)
	d := filepath.Join(filepath.Dir(file), "..", "..", "..", "backend-plugin", "deploy", "overlays", name)
	if _, err := os.Stat(d); err != nil {
		t.Fatalf("overlay %s: %v", d, err)
	}
	return d
}

type configMap struct {
	Kind     string            `yaml:"kind"`
	Metadata map[string]string `yaml:"metadata"`
	Data     map[string]string `yaml:"data"`
}

func readConfigMap(t *testing.T) configMap {
	return readNamedConfigMap(t, overlay)
}

func readNamedConfigMap(t *testing.T, name string) configMap {
	b, err := os.ReadFile(filepath.Join(namedOverlayDir(t, name), "propeller-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cm configMap
	if err := yaml.Unmarshal(b, &cm); err != nil {
		t.Fatalf("propeller-config.yaml: %v", err)
	}
	if cm.Kind != "ConfigMap" || cm.Metadata["name"] != "flyte-propeller-config" {
		t.Fatalf("propeller-config.yaml is not the ConfigMap flyte-propeller-config: %+v", cm.Metadata)
	}
	return cm
}

// Each data key of the config map is one file propeller reads (--config /etc/flyte/config/*).
// A key replaces the user's key of the same name when applied, so the overlay must not carry a
// file that holds the user's own lists (tasks.task-plugins.enabled-plugins).
func TestOverlayDoesNotReplaceTheEnabledPluginsList(t *testing.T) {
	cm := readConfigMap(t)
	for key, body := range cm.Data {
		var doc map[string]interface{}
		if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("data key %s: %v", key, err)
		}
		if tasks, ok := doc["tasks"].(map[string]interface{}); ok {
			if tp, ok := tasks["task-plugins"].(map[string]interface{}); ok {
				if _, ok := tp["enabled-plugins"]; ok {
					t.Errorf("data key %s sets tasks.task-plugins.enabled-plugins: applying it replaces the user's list (flyte-core's has more plugins); document the line to add instead", key)
				}
			}
		}
	}
}

func TestOverlayConfigReadByTheConnectorPlugin(t *testing.T) {
	cm := readConfigMap(t)
	body, ok := cm.Data["connector_service.yaml"]
	if !ok {
		t.Fatalf("the overlay has no connector_service.yaml key; keys: %v", keys(cm.Data))
	}
	checkReadByTheConnectorPlugin(t, body, true)
}

// The TLS variant: the same routing and deadlines, with TLS to the agent (insecure: false).
func TestTlsOverlayConfigReadByTheConnectorPlugin(t *testing.T) {
	cm := readNamedConfigMap(t, "propeller-connector-tls")
	body, ok := cm.Data["connector_service.yaml"]
	if !ok {
		t.Fatalf("the TLS overlay has no connector_service.yaml key; keys: %v", keys(cm.Data))
	}
	checkReadByTheConnectorPlugin(t, body, false)
}

// The quickstart's file for the Flyte sandbox (~/.flyte/sandbox/config.yaml) means the same.
func TestSandboxConfigReadByTheConnectorPlugin(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(overlayDir(t), "..", "..", "sandbox", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	checkReadByTheConnectorPlugin(t, string(b), true)
}

func checkReadByTheConnectorPlugin(t *testing.T, body string, insecure bool) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "connector_service.yaml")
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	acc := viper.NewAccessor(config.Options{SearchPaths: []string{f}, StrictMode: true})
	if err := acc.UpdateConfig(context.Background()); err != nil {
		t.Fatalf("propeller rejects connector_service.yaml (strict mode): %v", err)
	}
	cfg := connector.GetConfig()

	routed, ok := cfg.ConnectorForTaskTypes["example_plugin"]
	if !ok {
		t.Fatalf("connectorForTaskTypes does not route example_plugin: %v", cfg.ConnectorForTaskTypes)
	}
	entry, ok := cfg.ConnectorDeployments[routed]
	if !ok || entry == nil {
		t.Fatalf("example_plugin is routed to %q, which is not an entry of connectors (%v): propeller would use the default connector", routed, keys2(cfg.ConnectorDeployments))
	}
	if routed != entryID || entry.Endpoint != endpoint || entry.Insecure != insecure {
		t.Errorf("routed entry %q = {endpoint %q insecure %v}, want %q at %q, insecure %v (the agent's Service)", routed, entry.Endpoint, entry.Insecure, entryID, endpoint, insecure)
	}
	// getFinalTimeout (connector/client.go): Timeouts[operation], else DefaultTimeout, 0 = none.
	// The names are exact: a key viper lowercased (createtask) is never found.
	want := map[string]time.Duration{"CreateTask": 10 * time.Second, "GetTask": 10 * time.Second,
		"DeleteTask": 10 * time.Second, "ListConnectors": 5 * time.Second}
	for op, d := range want {
		got, ok := entry.Timeouts[op]
		if !ok {
			t.Errorf("the routed entry has no %s timeout (timeouts read: %v); it falls back to defaultTimeout %v", op, entry.Timeouts, entry.DefaultTimeout.Duration)
			continue
		}
		if got.Duration != d {
			t.Errorf("%s timeout = %v, want %v", op, got.Duration, d)
		}
	}
	for k := range entry.Timeouts {
		if _, known := want[k]; !known {
			t.Errorf("timeout key %q is not an operation connector-service looks up (CreateTask, GetTask, DeleteTask, ListConnectors; ListAgents is agent-service's)", k)
		}
	}
	if entry.DefaultTimeout.Duration <= 0 {
		t.Errorf("the routed entry has no defaultTimeout: any other call would have no deadline")
	}
	// The overlay leaves the user's default connector alone (its file would replace it).
	if cfg.DefaultConnector.Endpoint != "" {
		t.Errorf("the overlay sets defaultConnector.endpoint=%q: it would take over the user's default connector", cfg.DefaultConnector.Endpoint)
	}
}

// What propeller makes of the timeouts in the shape our overlay had before (a YAML map): viper
// lowercases the keys, so no per-call timeout is found. Kept as a guard on the list form.
func TestTimeoutsAsAMapAreLostToLowercasing(t *testing.T) {
	f := filepath.Join(t.TempDir(), "map.yaml")
	body := `plugins:
  connector-service:
    connectors:
      x:
        endpoint: dns:///x:8000
        timeouts:
          CreateTask: 3s
`
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	acc := viper.NewAccessor(config.Options{SearchPaths: []string{f}, StrictMode: true})
	if err := acc.UpdateConfig(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := connector.GetConfig().ConnectorDeployments["x"].Timeouts
	if _, ok := got["CreateTask"]; ok {
		t.Skipf("this flytestdlib keeps the case of map keys (%v): the list form is not needed, but still works", got)
	}
	if !strings.EqualFold(strings.Join(keys3(got), ","), "createtask") {
		t.Errorf("timeouts read from a map: %v", got)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func keys2(m map[string]*connector.Deployment) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func keys3(m map[string]config.Duration) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
