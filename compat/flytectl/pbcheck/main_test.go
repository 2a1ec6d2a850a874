package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/admin"
	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"google.golang.org/protobuf/proto"
)

func scheduledPlan(defaults map[string]*core.Parameter, fixed map[string]*core.Literal) *admin.LaunchPlan {
	return &admin.LaunchPlan{
		Id: &core.Identifier{ResourceType: core.ResourceType_LAUNCH_PLAN, Name: "nightly"},
		Spec: &admin.LaunchPlanSpec{
			WorkflowId: &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "wf"},
			EntityMetadata: &admin.LaunchPlanMetadata{Schedule: &admin.Schedule{
				ScheduleExpression:  &admin.Schedule_CronSchedule{CronSchedule: &admin.CronSchedule{Schedule: "0 3 * * *"}},
				KickoffTimeInputArg: "at",
			}},
			DefaultInputs: &core.ParameterMap{Parameters: defaults},
			FixedInputs:   &core.LiteralMap{Literals: fixed},
		},
	}
}

func workflowWithInputs(names ...string) map[string]*admin.WorkflowSpec {
	vars := map[string]*core.Variable{}
	for _, n := range names {
		vars[n] = &core.Variable{}
	}
	return map[string]*admin.WorkflowSpec{"wf": {Template: &core.WorkflowTemplate{
		Id:        &core.Identifier{ResourceType: core.ResourceType_WORKFLOW, Name: "wf"},
		Interface: &core.TypedInterface{Inputs: &core.VariableMap{Variables: vars}},
	}}}
}

func TestScheduleNeedsAValueForEveryInputButTheKickoffArgument(t *testing.T) {
	wf := workflowWithInputs("at", "words", "limit")
	withDefault := &core.Parameter{Behavior: &core.Parameter_Default{Default: &core.Literal{}}}
	err := checkSchedule(scheduledPlan(map[string]*core.Parameter{"words": withDefault}, nil), wf)
	if err == nil || !strings.Contains(err.Error(), "[limit]") {
		t.Fatalf("want an error naming limit, got %v", err)
	}
	// A parameter without a default does not count; a fixed input does.
	err = checkSchedule(scheduledPlan(map[string]*core.Parameter{"words": withDefault, "limit": {}}, nil), wf)
	if err == nil {
		t.Fatal("a parameter without default was accepted")
	}
	ok := scheduledPlan(map[string]*core.Parameter{"words": withDefault}, map[string]*core.Literal{"limit": {}})
	if err := checkSchedule(ok, wf); err != nil {
		t.Fatalf("default + fixed values rejected: %v", err)
	}
	if err := checkSchedule(ok, map[string]*admin.WorkflowSpec{}); err == nil {
		t.Fatal("a scheduled plan whose workflow is not among the files was accepted")
	}
}

func TestCheckIDAcceptsOnlyEmptyOrPlaceholders(t *testing.T) {
	placeholders := &core.Identifier{Name: "t", Project: "{{ registration.project }}",
		Domain: "{{ registration.domain }}", Version: "{{ registration.version }}"}
	if err := checkID("id", placeholders, core.ResourceType_TASK); err != nil {
		t.Fatalf("placeholders rejected: %v", err)
	}
	if err := checkID("id", &core.Identifier{Name: "t"}, core.ResourceType_TASK); err != nil {
		t.Fatalf("empty fields rejected: %v", err)
	}
	// jflyte 0.4.35 swapped placeholders: a domain placeholder in the project is a concrete value.
	swapped := &core.Identifier{Name: "t", Project: "{{ registration.domain }}"}
	if err := checkID("id", swapped, core.ResourceType_TASK); err == nil || !strings.Contains(err.Error(), "id.project") {
		t.Fatalf("swapped placeholder accepted or misnamed: %v", err)
	}
	if err := checkID("id", &core.Identifier{Name: "t", Version: "v1"}, core.ResourceType_TASK); err == nil {
		t.Fatal("a concrete version was accepted")
	}
	if err := checkID("id", &core.Identifier{Name: "t", ResourceType: core.ResourceType_WORKFLOW}, core.ResourceType_TASK); err == nil {
		t.Fatal("a workflow identifier was accepted for a task")
	}
	if err := checkID("template.id", nil, core.ResourceType_TASK); err == nil {
		t.Fatal("a missing identifier was accepted")
	}
}

func TestCheckRejectsAWrongTypeThatProtoUnmarshalAccepts(t *testing.T) {
	spec := &admin.TaskSpec{Template: &core.TaskTemplate{
		Id:   &core.Identifier{ResourceType: core.ResourceType_TASK, Name: "t"},
		Type: "java-task",
	}}
	data, err := proto.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	// The premise: flytectl's plain Unmarshal takes these bytes as a LaunchPlan.
	if err := proto.Unmarshal(data, &admin.LaunchPlan{}); err != nil {
		t.Fatalf("premise broken, plain unmarshal now fails: %v", err)
	}
	dir := t.TempDir()
	for name, wantErr := range map[string]bool{"0_t_1.pb": false, "0_t_3.pb": true, "0_t_2.pb": true} {
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _, err := check(file)
		if (err != nil) != wantErr {
			t.Errorf("%s: error %v, want error: %v", name, err, wantErr)
		}
	}
	if _, _, err := check(filepath.Join(dir, "0_t.pb")); err == nil {
		t.Error("a name without _1/_2/_3 was accepted")
	}
}
