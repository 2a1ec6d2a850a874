// Command testreport reads `go test -json` from stdin and prints one line per test (subtests
// included): `PASS <name>` or `FAIL <name>: <reason>`, the reason being the test's first
// failure message. It exits 1 when any test failed, a package failed to build or run, or no test
// ran at all. The raw stream is copied to the file named by -raw, for the full logs.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type result struct {
	action  string
	reason  []string
	output  []string
	elapsed float64
}

func main() {
	raw := flag.String("raw", "", "copy the JSON stream to this file")
	flag.Parse()
	var rawFile *os.File
	if *raw != "" {
		f, err := os.Create(*raw)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		defer f.Close()
		rawFile = f
	}
	results := map[string]*result{}
	var order []string
	pkgFail := map[string][]string{}
	pkgOut := map[string][]string{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Bytes()
		if rawFile != nil {
			rawFile.Write(append(line, '\n'))
		}
		var e event
		if json.Unmarshal(line, &e) != nil {
			// Build errors arrive as plain text.
			pkgOut["(build)"] = append(pkgOut["(build)"], string(line))
			continue
		}
		short := e.Package[strings.LastIndex(e.Package, "/")+1:]
		if e.Test == "" {
			if e.Action == "output" {
				pkgOut[e.Package] = append(pkgOut[e.Package], strings.TrimRight(e.Output, "\n"))
			}
			if e.Action == "fail" {
				pkgFail[e.Package] = pkgOut[e.Package]
			}
			continue
		}
		key := short + "/" + e.Test
		r, ok := results[key]
		if !ok {
			r = &result{}
			results[key] = r
			order = append(order, key)
		}
		switch e.Action {
		case "output":
			out := strings.TrimRight(e.Output, "\n")
			r.output = append(r.output, out)
			t := strings.TrimSpace(out)
			// "info: " marks a test's own log lines (t.Logf), which are not failure reasons.
			if strings.Contains(t, "_test.go:") && !strings.HasPrefix(t, "---") && !strings.Contains(t, ": info: ") {
				r.reason = append(r.reason, t)
			}
		case "pass", "fail", "skip":
			r.action, r.elapsed = e.Action, e.Elapsed
		}
	}
	failed := false
	for _, key := range order {
		r := results[key]
		switch r.action {
		case "pass":
			fmt.Printf("PASS %s (%.1fs)\n", key, r.elapsed)
		case "skip":
			fmt.Printf("SKIP %s: %s\n", key, first(r.reason, r.output))
		case "fail":
			failed = true
			fmt.Printf("FAIL %s: %s\n", key, first(r.reason, r.output))
		default:
			failed = true
			fmt.Printf("FAIL %s: did not finish (timeout or crash)\n", key)
		}
	}
	pkgs := make([]string, 0, len(pkgFail))
	for p := range pkgFail {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		hasTests := false
		for _, key := range order {
			if strings.HasPrefix(key, p[strings.LastIndex(p, "/")+1:]+"/") {
				hasTests = true
			}
		}
		if !hasTests {
			failed = true
			fmt.Printf("FAIL %s: package failed: %s\n", p, lastLines(pkgFail[p], 5))
		}
	}
	if b := pkgOut["(build)"]; len(b) > 0 {
		failed = true
		fmt.Printf("FAIL build: %s\n", lastLines(b, 10))
	}
	if len(order) == 0 {
		fmt.Println("FAIL no test ran")
		failed = true
	}
	if failed {
		os.Exit(1)
	}
}

func first(reasons, output []string) string {
	if len(reasons) > 0 {
		s := reasons[0]
		if i := strings.Index(s, ": "); i > 0 && strings.Contains(s[:i], "_test.go") {
			s = s[i+2:]
		}
		return oneLine(s)
	}
	return oneLine(lastLines(output, 3))
}

func lastLines(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 400 {
		s = s[:400] + "..."
	}
	return s
}
