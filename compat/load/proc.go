package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The server's CPU and memory from /proc (Linux): the process and all its descendants, so a
// launcher that forks instead of exec'ing is still counted.

type procStat struct {
	ppid         int
	utime, stime int64
}

func readStat(pid int) (procStat, bool) {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return procStat{}, false
	}
	// comm (field 2) may hold spaces and parentheses: the fields after it start past the last ')'.
	s := string(data)
	end := strings.LastIndexByte(s, ')')
	if end < 0 {
		return procStat{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 13 {
		return procStat{}, false
	}
	// f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return procStat{ppid: ppid, utime: ut, stime: st}, true
}

// tree is pid and its live descendants.
func tree(pid int) []int {
	entries, _ := filepath.Glob("/proc/[0-9]*")
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(filepath.Base(e))
		if err != nil {
			continue
		}
		if st, ok := readStat(p); ok {
			children[st.ppid] = append(children[st.ppid], p)
		}
	}
	out := []int{pid}
	for i := 0; i < len(out); i++ {
		out = append(out, children[out[i]]...)
	}
	return out
}

// cpuSeconds is utime+stime of the process tree (all threads), in seconds.
func cpuSeconds(pid, clkTck int) float64 {
	var ticks int64
	for _, p := range tree(pid) {
		if st, ok := readStat(p); ok {
			ticks += st.utime + st.stime
		}
	}
	return float64(ticks) / float64(clkTck)
}

func statusKiB(pid int, key string) int64 {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, key+":") {
			f := strings.Fields(line[len(key)+1:])
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return 0
}

// rssMiB is the resident set (VmRSS) of the process tree now.
func rssMiB(pid int) float64 {
	var kib int64
	for _, p := range tree(pid) {
		kib += statusKiB(p, "VmRSS")
	}
	return float64(kib) / 1024
}

// peakRSSMiB is the high-water mark (VmHWM) of the process tree.
func peakRSSMiB(pid int) float64 {
	var kib int64
	for _, p := range tree(pid) {
		kib += statusKiB(p, "VmHWM")
	}
	return float64(kib) / 1024
}

// threadTicks is utime+stime per thread (tid) of the process tree, with the thread's name.
func threadTicks(pid int) map[int]threadCPU {
	out := map[int]threadCPU{}
	for _, p := range tree(pid) {
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(p) + "/task/[0-9]*")
		for _, t := range tasks {
			tid, err := strconv.Atoi(filepath.Base(t))
			if err != nil {
				continue
			}
			data, err := os.ReadFile(t + "/stat")
			if err != nil {
				continue
			}
			s := string(data)
			open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
			f := strings.Fields(s[end+1:])
			if open < 0 || end < open || len(f) < 13 {
				continue
			}
			ut, _ := strconv.ParseInt(f[11], 10, 64)
			st, _ := strconv.ParseInt(f[12], 10, 64)
			out[tid] = threadCPU{group: threadGroup(s[open+1 : end]), ticks: ut + st}
		}
	}
	return out
}

type threadCPU struct {
	group string
	ticks int64
}

// threadGroup folds numbered threads of one pool together ("GC Thread#3" -> "GC Thread#",
// "grpc-default-executor-12" -> "grpc-default-executor-"). Names are cut at 15 chars by Linux.
func threadGroup(name string) string {
	return strings.TrimRight(name, "0123456789")
}

// cpuByGroup is the CPU seconds each thread group used between two snapshots; threads that ended
// in between are not seen and fall into "(threads that exited)" via the process total.
func cpuByGroup(before, after map[int]threadCPU, totalSec float64, clkTck int) map[string]float64 {
	out := map[string]float64{}
	var sum float64
	for tid, a := range after {
		d := a.ticks - before[tid].ticks
		if b, ok := before[tid]; ok && b.group != a.group {
			d = a.ticks
		}
		if d > 0 {
			sec := float64(d) / float64(clkTck)
			out[a.group] += sec
			sum += sec
		}
	}
	if rest := totalSec - sum; rest > 0.005 {
		out["(threads that exited)"] += rest
	}
	return out
}
