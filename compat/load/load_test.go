package main

import (
	"os"
	"testing"
	"time"
)

func TestPercentileIsNearestRank(t *testing.T) {
	v := []float64{5, 1, 4, 2, 3, 10, 9, 8, 7, 6}
	for p, want := range map[float64]float64{50: 5, 99: 10, 100: 10, 10: 1, 0: 1} {
		if got := percentile(v, p); got != want {
			t.Errorf("percentile(%v) = %v, want %v", p, got, want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of nothing = %v, want 0", got)
	}
	if v[0] != 5 {
		t.Errorf("percentile sorted its input in place")
	}
}

func TestSharesCoverEveryTaskOnceAndKeepAllPollersBusy(t *testing.T) {
	seen := map[int]int{}
	for _, s := range shares(2500, 1000) {
		for _, i := range s {
			seen[i]++
		}
	}
	if len(seen) != 2500 {
		t.Fatalf("%d tasks covered, want 2500", len(seen))
	}
	for i, c := range seen {
		if c != 1 {
			t.Fatalf("task %d polled by %d pollers, want 1", i, c)
		}
	}
	few := shares(3, 10)
	if len(few) != 10 {
		t.Fatalf("%d pollers, want 10", len(few))
	}
	for w, s := range few {
		if len(s) != 1 || s[0] != w%3 {
			t.Fatalf("poller %d polls %v, want [%d]", w, s, w%3)
		}
	}
}

func TestRequireLoopback(t *testing.T) {
	for _, ok := range []string{"127.0.0.1:8000", "[::1]:8000", "localhost:1"} {
		if err := requireLoopback(ok); err != nil {
			t.Errorf("%s rejected: %v", ok, err)
		}
	}
	for _, bad := range []string{"10.0.0.1:8000", "example.com:80", "127.0.0.1"} {
		if err := requireLoopback(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestProcFiguresOfThisProcess(t *testing.T) {
	pid := os.Getpid()
	before := threadTicks(pid)
	cpu0 := cpuSeconds(pid, 100)
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	cpu := cpuSeconds(pid, 100) - cpu0
	if cpu < 0.1 {
		t.Fatalf("300 ms of spinning counted as %.2f s CPU", cpu)
	}
	groups := cpuByGroup(before, threadTicks(pid), cpu, 100)
	var sum float64
	for _, s := range groups {
		sum += s
	}
	if sum < cpu-0.02 || sum > cpu+0.05 {
		t.Errorf("thread groups add up to %.2f s, process %.2f s (%v)", sum, cpu, groups)
	}
	if rss := rssMiB(pid); rss <= 0 || peakRSSMiB(pid) < rss {
		t.Errorf("rss %.1f MiB, peak %.1f MiB", rss, peakRSSMiB(pid))
	}
}

func TestThreadGroupFoldsPoolNumbers(t *testing.T) {
	for in, want := range map[string]string{"GC Thread#3": "GC Thread#", "agent-grpc-12": "agent-grpc-", "pyflyte": "pyflyte"} {
		if got := threadGroup(in); got != want {
			t.Errorf("threadGroup(%q) = %q, want %q", in, got, want)
		}
	}
}
