package e2e

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	pcore "github.com/flyteorg/flyte/flyteplugins/go/tasks/pluginmachinery/core"
)

// A map task: the subnodes of one array node share the execution and the node id (n0, ... inside
// every array node; here two array nodes each run a subnode n0, and one array node's subnodes),
// attempt 0, each with its own lineage and output prefix. Each must get its own resource and
// write its own outputs.
func TestMapTaskSubnodesWithSameNodeID(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	base := workDir(t, "maptask")
	texts := []string{"a", "b b", "c c c"}
	var runs []*taskRun
	for i, text := range texts {
		// Subnodes n0 of array nodes n1, n2, n3: the same node_id, different lineage.
		lineage := fmt.Sprintf("n%d-0-n0", i+1)
		runs = append(runs, newTaskRun(t, runSpec{execution: "maptask", nodeID: "n0", uniqueNodeID: lineage,
			dir: filepath.Join(base, lineage)}, tpl, stringInput("text", text)))
	}
	for _, r := range runs {
		r.launch(t, lp.plugin)
	}
	for i, r := range runs {
		info, errs := r.drive(t, lp.plugin, 90*time.Second)
		if info.Phase() != pcore.PhaseSuccess {
			t.Errorf("subnode %d (%s) ended %v: %v (errors %v)", i, r.name, info.Phase(), info.Err(), errs)
			continue
		}
		out := r.outputs(t)
		if w, _ := intOut(out, "words"); w != int64(i+1) {
			t.Errorf("subnode %d (%s, text %q) has words=%d, want %d: its outputs are not its own", i, r.name, texts[i], w, i+1)
		}
	}
}

// A parent retry restarts its children at attempt 0 with a new output prefix: the child's
// second life must be a new resource with its own outputs, not the first life's resource adopted.
func TestParentRetryRestartsChildAsNewResource(t *testing.T) {
	a := sharedAgent(t)
	e := testEnv(t)
	lp := placeholderPlugin(t, a)
	tpl := loadTemplate(t, e.serialized, "CountWords")
	base := workDir(t, "parentretry")

	first := newTaskRun(t, runSpec{execution: "parentretry", nodeID: "n0", uniqueNodeID: "dn0-0-n0",
		dir: filepath.Join(base, "parent-attempt-0")}, tpl, stringInput("text", "one"))
	info, errs := first.drive(t, lp.plugin, 90*time.Second)
	if info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("first life ended %v: %v (%v)", info.Phase(), info.Err(), errs)
	}
	// The parent (a dynamic node) is retried: same execution, same child node id, child attempt 0,
	// a new output prefix (the parent's attempt is part of the data path).
	second := newTaskRun(t, runSpec{execution: "parentretry", nodeID: "n0", uniqueNodeID: "dn0-1-n0",
		dir: filepath.Join(base, "parent-attempt-1")}, tpl, stringInput("text", "one two three four"))
	info, errs = second.drive(t, lp.plugin, 90*time.Second)
	if info.Phase() != pcore.PhaseSuccess {
		t.Fatalf("second life ended %v: %v (errors %v); phases %v", info.Phase(), info.Err(), errs, second.phases)
	}
	out := second.outputs(t)
	if w, _ := intOut(out, "words"); w != 4 {
		t.Errorf("second life has words=%d, want 4", w)
	}
}
