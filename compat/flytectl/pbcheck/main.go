// Command pbcheck decodes `flytectl register files` inputs strictly and lists them.
//
// flytectl itself is lenient (cmd/register/register_util.go, UnMarshalContents): it tries
// admin.TaskSpec, admin.WorkflowSpec and admin.LaunchPlan in turn with a plain proto.Unmarshal,
// which keeps unknown or mistyped fields as unknown bytes, so a file of the wrong message type
// usually "parses" and a dry run calls it a success. pbcheck decodes each file as the type its
// `_1/_2/_3.pb` suffix names and rejects any unknown field anywhere in the message, an empty
// entity name, and project/domain/version values other than empty or the registration
// placeholders flytectl fills in (hydrateIdentifier).
//
// Output, one line per file: `<file> <task|workflow|launchplan> <name> [extra]`; for a task,
// extra is `type=<task type> image=<container image or ->`; for a launch
// plan, extra is `schedule=<cron|rate|none>` (flytectl's dry run needs FlyteAdmin for scheduled
// launch plans: validateLaunchSpec fetches their workflow), followed by ` sha256=<hex>` of the
// message's deterministic encoding (map entries sorted), so two serializations can be compared
// regardless of map entry order.
//
// A scheduled launch plan is also checked the way flytectl checks it against FlyteAdmin
// (register_util.go, validateLPWithSchedule): every input of its workflow, except the schedule's
// kickoff-time argument, needs a default or fixed value. The workflow must be among the files.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

var suffix = regexp.MustCompile(`_([1-3])\.pb$`)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: pbcheck FILE.pb...")
		os.Exit(2)
	}
	failed := false
	workflows := map[string]*admin.WorkflowSpec{}
	var launchPlans []launchPlanFile
	for _, file := range os.Args[1:] {
		line, msg, err := check(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", file, err)
			failed = true
			continue
		}
		switch m := msg.(type) {
		case *admin.WorkflowSpec:
			workflows[m.GetTemplate().GetId().GetName()] = m
		case *admin.LaunchPlan:
			launchPlans = append(launchPlans, launchPlanFile{file, m})
		}
		digest, err := proto.MarshalOptions{Deterministic: true}.Marshal(msg)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: re-encoding: %v\n", file, err)
			failed = true
			continue
		}
		fmt.Printf("%s sha256=%x\n", line, sha256.Sum256(digest))
	}
	for _, lp := range launchPlans {
		if err := checkSchedule(lp.plan, workflows); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", lp.file, err)
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

type launchPlanFile struct {
	file string
	plan *admin.LaunchPlan
}

// checkSchedule: a schedule starts executions with no user inputs, so every workflow input but
// the kickoff-time argument needs a value in the launch plan.
func checkSchedule(lp *admin.LaunchPlan, workflows map[string]*admin.WorkflowSpec) error {
	schedule := lp.GetSpec().GetEntityMetadata().GetSchedule()
	if schedule == nil {
		return nil
	}
	wfName := lp.GetSpec().GetWorkflowId().GetName()
	wf, ok := workflows[wfName]
	if !ok {
		return fmt.Errorf("scheduled launch plan %s: its workflow %s is not among the files", lp.GetId().GetName(), wfName)
	}
	var missing []string
	for name := range wf.GetTemplate().GetInterface().GetInputs().GetVariables() {
		if name == schedule.GetKickoffTimeInputArg() {
			continue
		}
		_, fixed := lp.GetSpec().GetFixedInputs().GetLiterals()[name]
		param := lp.GetSpec().GetDefaultInputs().GetParameters()[name]
		if !fixed && param.GetDefault() == nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("scheduled launch plan %s: workflow inputs %v have neither a default nor a fixed value (kickoff-time argument: %q)",
			lp.GetId().GetName(), missing, schedule.GetKickoffTimeInputArg())
	}
	return nil
}

func check(file string) (string, proto.Message, error) {
	m := suffix.FindStringSubmatch(filepath.Base(file))
	if m == nil {
		return "", nil, fmt.Errorf("name must end in _1.pb (TaskSpec), _2.pb (WorkflowSpec) or _3.pb (LaunchPlan)")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", nil, err
	}
	base := filepath.Base(file)
	switch m[1] {
	case "1":
		var spec admin.TaskSpec
		if err := decode(data, &spec); err != nil {
			return "", nil, fmt.Errorf("as admin.TaskSpec: %w", err)
		}
		id := spec.GetTemplate().GetId()
		if err := checkID("template.id", id, core.ResourceType_TASK); err != nil {
			return "", nil, err
		}
		image := spec.GetTemplate().GetContainer().GetImage()
		if image == "" {
			image = "-"
		}
		return fmt.Sprintf("%s task %s type=%s image=%s", base, id.GetName(), spec.GetTemplate().GetType(), image), &spec, nil
	case "2":
		var spec admin.WorkflowSpec
		if err := decode(data, &spec); err != nil {
			return "", nil, fmt.Errorf("as admin.WorkflowSpec: %w", err)
		}
		tmpl := spec.GetTemplate()
		if err := checkID("template.id", tmpl.GetId(), core.ResourceType_WORKFLOW); err != nil {
			return "", nil, err
		}
		for _, n := range tmpl.GetNodes() {
			if ref := n.GetTaskNode().GetReferenceId(); ref != nil {
				if err := checkID("node "+n.GetId()+" task reference", ref, core.ResourceType_TASK); err != nil {
					return "", nil, err
				}
			}
		}
		return fmt.Sprintf("%s workflow %s nodes=%d", base, tmpl.GetId().GetName(), len(tmpl.GetNodes())), &spec, nil
	default:
		var lp admin.LaunchPlan
		if err := decode(data, &lp); err != nil {
			return "", nil, fmt.Errorf("as admin.LaunchPlan: %w", err)
		}
		if err := checkID("id", lp.GetId(), core.ResourceType_LAUNCH_PLAN); err != nil {
			return "", nil, err
		}
		if err := checkID("spec.workflow_id", lp.GetSpec().GetWorkflowId(), core.ResourceType_WORKFLOW); err != nil {
			return "", nil, err
		}
		schedule := "none"
		if s := lp.GetSpec().GetEntityMetadata().GetSchedule(); s != nil {
			switch {
			case s.GetCronSchedule() != nil || s.GetCronExpression() != "":
				schedule = "cron"
			case s.GetRate() != nil:
				schedule = "rate"
			default:
				schedule = "empty"
			}
		}
		return fmt.Sprintf("%s launchplan %s workflow=%s schedule=%s", base, lp.GetId().GetName(),
			lp.GetSpec().GetWorkflowId().GetName(), schedule), &lp, nil
	}
}

func decode(data []byte, msg proto.Message) error {
	if len(data) == 0 {
		return fmt.Errorf("file is empty")
	}
	if err := proto.Unmarshal(data, msg); err != nil {
		return err
	}
	if path := unknownFieldPath(msg.ProtoReflect(), ""); path != "" {
		return fmt.Errorf("unknown or mistyped field at %s (wrong message type for this file name?)", path)
	}
	return nil
}

// unknownFieldPath returns the path of the first message holding unknown fields, or "".
func unknownFieldPath(m protoreflect.Message, path string) string {
	if len(m.GetUnknown()) > 0 {
		if path == "" {
			return "<root>"
		}
		return path
	}
	found := ""
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		p := strings.TrimPrefix(path+"."+string(fd.Name()), ".")
		switch {
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for i := 0; i < l.Len() && found == ""; i++ {
				found = unknownFieldPath(l.Get(i).Message(), fmt.Sprintf("%s[%d]", p, i))
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				found = unknownFieldPath(mv.Message(), fmt.Sprintf("%s[%v]", p, k.Interface()))
				return found == ""
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			found = unknownFieldPath(v.Message(), p)
		}
		return found == ""
	})
	return found
}

// checkID accepts what flytectl's hydrateIdentifier fills in: empty or placeholder
// project/domain/version. A concrete value would silently win over `-p/-d/--version`.
func checkID(field string, id *core.Identifier, want core.ResourceType) error {
	if id == nil {
		return fmt.Errorf("%s is missing", field)
	}
	if id.GetName() == "" {
		return fmt.Errorf("%s.name is empty", field)
	}
	if id.GetResourceType() != want && id.GetResourceType() != core.ResourceType_UNSPECIFIED {
		return fmt.Errorf("%s.resource_type is %v, want %v", field, id.GetResourceType(), want)
	}
	for _, f := range []struct{ name, value, placeholder string }{
		{"project", id.GetProject(), "{{ registration.project }}"},
		{"domain", id.GetDomain(), "{{ registration.domain }}"},
		{"version", id.GetVersion(), "{{ registration.version }}"},
	} {
		if f.value != "" && f.value != f.placeholder {
			return fmt.Errorf("%s.%s is %q: leave it empty or %q so registration fills it in", field, f.name, f.value, f.placeholder)
		}
	}
	return nil
}
