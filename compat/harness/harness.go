// Package harness starts and stops the processes a compat run talks to (our agent, the simulated
// cluster) on free loopback ports, bounded in time and always killed, and reads the inputs a run
// is given through environment variables. It has no Flyte dependency so that the module of every
// Flyte release can share it (each references it with a `replace ../harness` line).
package harness

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Env names of the prepared inputs (compat/run produces them in CI).
const (
	EnvAgentHome  = "COMPAT_AGENT_HOME"
	EnvUserCode   = "COMPAT_USER_CODE"
	EnvSerialized = "COMPAT_SERIALIZED"
	EnvWork       = "COMPAT_WORK"
)

// Require returns the value of an environment variable naming a directory that must exist.
func Require(name string) (string, error) {
	v := os.Getenv(name)
	if v == "" {
		return "", fmt.Errorf("environment variable %s is not set: point it at the prepared input (see compat/connector/run.sh)", name)
	}
	if _, err := os.Stat(v); err != nil {
		return "", fmt.Errorf("environment variable %s=%s: %v", name, v, err)
	}
	return v, nil
}

// WorkDir is COMPAT_WORK (created when missing) or a fresh temporary directory.
func WorkDir() (string, error) {
	if v := os.Getenv(EnvWork); v != "" {
		return v, os.MkdirAll(v, 0o755)
	}
	return os.MkdirTemp("", "compat-work-")
}

// FreePort asks the kernel for a free loopback port.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// NewHMACKey returns a random base64 key of 32 bytes, as the agent requires.
func NewHMACKey() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Process is a child process in its own process group, its output in a log file.
type Process struct {
	Name    string
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{}
	waitErr error
	once    sync.Once
}

// Start runs argv with its stdout+stderr appended to logPath; lines of stdout are also offered
// to onLine (when not nil) until it returns true.
func Start(name, logPath string, env []string, onLine func(string) bool, argv ...string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Stderr = logFile
	var stdout io.ReadCloser
	if onLine != nil {
		stdout, err = cmd.StdoutPipe()
		if err != nil {
			logFile.Close()
			return nil, err
		}
	} else {
		cmd.Stdout = logFile
	}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s (%s): %w", name, argv[0], err)
	}
	p := &Process{Name: name, LogPath: logPath, cmd: cmd, done: make(chan struct{})}
	recordPid(cmd.Process.Pid)
	if stdout != nil {
		go func() {
			sc := bufio.NewScanner(stdout)
			sc.Buffer(make([]byte, 64*1024), 1024*1024)
			stop := false
			for sc.Scan() {
				line := sc.Text()
				fmt.Fprintln(logFile, line)
				if !stop {
					stop = onLine(line)
				}
			}
		}()
	}
	go func() {
		p.waitErr = cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// recordPid appends a started process group id to $COMPAT_WORK/pids, so that run.sh's exit trap
// can kill what a crashed or timed-out test binary could not.
func recordPid(pid int) {
	dir := os.Getenv(EnvWork)
	if dir == "" {
		return
	}
	f, err := os.OpenFile(filepath.Join(dir, "pids"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintln(f, pid)
}

// Pid of the process (its process group id too).
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Exited says whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGTERM to the process group, then SIGKILL after grace. Safe to call twice.
func (p *Process) Stop(grace time.Duration) {
	p.once.Do(func() {
		if p.Exited() {
			return
		}
		_ = syscall.Kill(-p.Pid(), syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(grace):
			_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
			<-p.done
		}
	})
}

// Kill sends SIGKILL to the process group at once (a crash, not a shutdown).
func (p *Process) Kill() {
	p.once.Do(func() {
		if !p.Exited() {
			_ = syscall.Kill(-p.Pid(), syscall.SIGKILL)
			<-p.done
		}
	})
}

// Tail returns the last n lines of the process log, for failure messages.
func (p *Process) Tail(n int) string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// AgentOptions say how to run bin/flyte-agent.
type AgentOptions struct {
	Home        string // COMPAT_AGENT_HOME
	UserCode    string // embedded mode: --user-code
	Embedded    bool
	Kubeconfig  string // cluster mode
	Namespaces  string // cluster mode
	HMACKey     string // base64
	Port        int    // 0 = pick a free one
	MetricsPort int    // 0 = pick a free one
	LogDir      string
	ExtraArgs   []string
	// Env entries (NAME=value) added to the agent's environment. Settings go here rather than
	// in flags when an older agent distribution must still start (unknown env vars are ignored).
	Env []string
}

// Agent is a running flyte-agent.
type Agent struct {
	*Process
	Port        int
	MetricsPort int
}

// Endpoint is the gRPC target of the agent.
func (a *Agent) Endpoint() string { return fmt.Sprintf("127.0.0.1:%d", a.Port) }

// StartAgent starts bin/flyte-agent; the caller waits for readiness (gRPC health) itself.
func StartAgent(o AgentOptions) (*Agent, error) {
	var err error
	if o.Port == 0 {
		if o.Port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	if o.MetricsPort == 0 {
		if o.MetricsPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	bin := filepath.Join(o.Home, "bin", "flyte-agent")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s: %v (is %s the agent distribution?)", bin, err, EnvAgentHome)
	}
	argv := []string{bin, "--port", strconv.Itoa(o.Port), "--metrics-port", strconv.Itoa(o.MetricsPort),
		"--hmac-key", o.HMACKey}
	if o.Embedded {
		argv = append(argv, "--embedded", "--user-code", o.UserCode)
	} else {
		argv = append(argv, "--kubeconfig", o.Kubeconfig)
		if o.Namespaces != "" {
			argv = append(argv, "--namespaces", o.Namespaces)
		}
	}
	argv = append(argv, o.ExtraArgs...)
	logPath := filepath.Join(o.LogDir, fmt.Sprintf("agent-%d.log", o.Port))
	p, err := Start("flyte-agent", logPath, o.Env, nil, argv...)
	if err != nil {
		return nil, err
	}
	return &Agent{Process: p, Port: o.Port, MetricsPort: o.MetricsPort}, nil
}

// Cluster is a running $COMPAT_AGENT_HOME/bin/embedded-cluster (simulated Kubernetes API).
type Cluster struct {
	*Process
	URL        string
	Kubeconfig string
}

// StartCluster starts bin/embedded-cluster and waits for its `READY <url>` line.
func StartCluster(home, userCode, logDir string, createLatency string, timeout time.Duration) (*Cluster, error) {
	bin := filepath.Join(home, "bin", "embedded-cluster")
	if _, err := os.Stat(bin); err != nil {
		return nil, fmt.Errorf("%s: %v: this agent distribution has no embedded-cluster command (needed for the scenarios with an API server that outlives the agent)", bin, err)
	}
	kubeconfig := filepath.Join(logDir, fmt.Sprintf("kubeconfig-%d", time.Now().UnixNano()))
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	argv := []string{bin, "--kubeconfig-out", kubeconfig, "--user-code", userCode, "--port", strconv.Itoa(port)}
	if createLatency != "" {
		argv = append(argv, "--create-latency", createLatency)
	}
	ready := make(chan string, 1)
	p, err := Start("embedded-cluster", filepath.Join(logDir, fmt.Sprintf("cluster-%d.log", port)), nil,
		func(line string) bool {
			if strings.HasPrefix(line, "READY ") {
				ready <- strings.TrimSpace(strings.TrimPrefix(line, "READY "))
				return true
			}
			return false
		}, argv...)
	if err != nil {
		return nil, err
	}
	deadline := time.After(timeout)
	for {
		select {
		case url := <-ready:
			return &Cluster{Process: p, URL: url, Kubeconfig: kubeconfig}, nil
		case <-p.done:
			return nil, fmt.Errorf("embedded-cluster exited before READY: %v\n%s", p.waitErr, p.Tail(30))
		case <-deadline:
			p.Stop(5 * time.Second)
			return nil, fmt.Errorf("embedded-cluster printed no READY line within %s\n%s", timeout, p.Tail(30))
		}
	}
}

// WaitFor polls check every interval until it returns nil or timeout passes.
func WaitFor(timeout, interval time.Duration, check func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		}
		time.Sleep(interval)
	}
}

// Metrics is one scrape of a Prometheus text endpoint.
type Metrics []Sample

// Sample is one line of the exposition format.
type Sample struct {
	Name   string
	Labels map[string]string
	Value  float64
}

var sampleLine = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)`)
var labelPair = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// Scrape reads http://127.0.0.1:port/metrics.
func Scrape(port int) (Metrics, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	var out Metrics
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		m := sampleLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			continue
		}
		labels := map[string]string{}
		for _, lp := range labelPair.FindAllStringSubmatch(m[2], -1) {
			labels[lp[1]] = lp[2]
		}
		out = append(out, Sample{Name: m[1], Labels: labels, Value: v})
	}
	return out, sc.Err()
}

// Sum adds the samples named name whose labels include all of want.
func (m Metrics) Sum(name string, want map[string]string) float64 {
	total := 0.0
	for _, s := range m {
		if s.Name != name {
			continue
		}
		ok := true
		for k, v := range want {
			if s.Labels[k] != v {
				ok = false
				break
			}
		}
		if ok {
			total += s.Value
		}
	}
	return total
}

// ErrSkip marks a precondition outside this suite's control.
var ErrSkip = errors.New("precondition missing")
