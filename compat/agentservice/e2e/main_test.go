package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flyteplugin/compat/harness"
)

// inputs of the run (see run.sh): read once, each test fails with the variable's name if unset.
type env struct {
	agentHome, userCode, serialized, work string
}

// agentEnv tells the agent which propeller calls it: agent-service before 1.16 (v1.14.1) does
// not understand RETRYABLE_FAILED (agents that predate the setting ignore it).
var agentEnv = []string{"FLYTE_AGENT_MIN_FLYTE_RELEASE=1.14.1"}

var (
	envOnce   sync.Once
	theEnv    env
	envErr    error
	agentOnce sync.Once
	shared    *harness.Agent
	sharedErr error
	hmacKey   = harness.NewHMACKey()
	cleanups  []func()
	cleanupMu sync.Mutex
)

func testEnv(t *testing.T) env {
	t.Helper()
	envOnce.Do(func() {
		var e env
		if e.agentHome, envErr = harness.Require(harness.EnvAgentHome); envErr != nil {
			return
		}
		if e.userCode, envErr = harness.Require(harness.EnvUserCode); envErr != nil {
			return
		}
		if e.serialized, envErr = harness.Require(harness.EnvSerialized); envErr != nil {
			return
		}
		if e.work, envErr = harness.WorkDir(); envErr != nil {
			return
		}
		theEnv = e
	})
	if envErr != nil {
		t.Fatal(envErr)
	}
	return theEnv
}

func atExit(f func()) {
	cleanupMu.Lock()
	defer cleanupMu.Unlock()
	cleanups = append(cleanups, f)
}

// sharedAgent is one embedded-mode agent for the scenarios that do not restart or slow it.
func sharedAgent(t *testing.T) *harness.Agent {
	t.Helper()
	e := testEnv(t)
	agentOnce.Do(func() {
		var a *harness.Agent
		a, sharedErr = harness.StartAgent(harness.AgentOptions{
			Home: e.agentHome, UserCode: e.userCode, Embedded: true, HMACKey: hmacKey, LogDir: e.work,
			Env: agentEnv,
		})
		if sharedErr != nil {
			return
		}
		atExit(func() { a.Stop(30 * time.Second) })
		if err := waitServing(a.Endpoint(), 120*time.Second); err != nil {
			sharedErr = fmt.Errorf("%v\nagent log (%s):\n%s", err, a.LogPath, a.Tail(40))
			return
		}
		shared = a
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return shared
}

// workDir is a fresh directory under COMPAT_WORK for one test.
func workDir(t *testing.T, name string) string {
	t.Helper()
	d := filepath.Join(testEnv(t).work, fmt.Sprintf("%s-%d", name, time.Now().UnixNano()))
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMain(m *testing.M) {
	code := m.Run()
	cleanupMu.Lock()
	for i := len(cleanups) - 1; i >= 0; i-- {
		cleanups[i]()
	}
	cleanupMu.Unlock()
	os.Exit(code)
}
