#!/usr/bin/env bash
# Checks our serialized workflows with the real flytectl (built from its published Go module).
#
# Prints one line per scenario, `PASS <name>` or `FAIL <name>: <reason>`; details go to stderr
# and to $COMPAT_WORK/flytectl/. Exits non-zero when any scenario failed.
#
# Inputs (env):
#   COMPAT_SERIALIZED   `jflyte serialize workflows` output (flytectl `register files` layout)
#   COMPAT_JFLYTE_HOME  jflyte distribution (bin/jflyte)
#   COMPAT_USER_CODE    the example's jars (jflyte's -cp)
#   COMPAT_WORK         scratch directory (default: a new temporary directory)
#
# What flytectl's `register files --dryRun` checks (flytectl v0.9.8, cmd/register/files.go
# Register and register_util.go registerFile): the arguments are .pb files (or a fast-register
# .tar.gz); each file unmarshals as admin.TaskSpec, admin.WorkflowSpec or admin.LaunchPlan (the
# `_1/_2/_3.pb` suffix only chooses which is tried first, and a plain proto.Unmarshal accepts most
# bytes of the wrong type, keeping them as unknown fields); identifiers are hydrated
# (hydrateIdentifier: empty or `{{ registration.* }}` project/domain/version become -p/-d/--version);
# and a launch plan WITH a schedule has its workflow fetched from FlyteAdmin to check that every
# input has a value (validateLaunchSpec). Everything else is skipped: no CreateTask/Workflow/
# LaunchPlan call, so no compilation, no check that referenced tasks exist or that interfaces fit.
# Offline (no admin endpoint) flytectl has no client and crashes (nil pointer) on a scheduled
# launch plan, so the dry run here covers every file but the scheduled launch plans, and our
# pbcheck (strict decoding as the suffix's type, no unknown fields, identifier placeholders, the
# same schedule-input rule offline) covers all files.
#
# A real registration needs FlyteAdmin: its Go module (github.com/flyteorg/flyte/flyteadmin) is
# not served by the module proxy this project may use (v1.16.5 is listed but its zip is refused
# and the checksum database has no entry; v1.13-v1.16 others are unavailable), and building it
# from a repository snapshot is not allowed here. So there is no real-registration scenario.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for var in COMPAT_SERIALIZED COMPAT_JFLYTE_HOME COMPAT_USER_CODE; do
  if [[ -z "${!var:-}" ]]; then
    echo "compat/flytectl: environment variable $var is not set (see the header of $0)" >&2
    exit 2
  fi
  if [[ ! -d "${!var}" ]]; then
    echo "compat/flytectl: $var=${!var} is not a directory" >&2
    exit 2
  fi
done
COMPAT_WORK="${COMPAT_WORK:-$(mktemp -d)}"
work="$COMPAT_WORK/flytectl"
rm -rf "$work"
mkdir -p "$work/bin"

failures=0
pass() { echo "PASS $1"; }
fail() {
  echo "FAIL $1: $2"
  failures=$((failures + 1))
}

project=compatproj
domain=development
version="compat-$(date +%s)"

# The Go toolchain must not try to fetch another toolchain; go.sum must already be complete.
export GOTOOLCHAIN=local
export GOFLAGS="-mod=readonly -buildvcs=false"

flytectl="$work/bin/flytectl"
pbcheck="$work/bin/pbcheck"

# ---- build: flytectl from its Go module (pinned in go.mod), and our pbcheck beside it.
start=$SECONDS
if (cd "$here" && go build -o "$flytectl" github.com/flyteorg/flyte/flytectl && go build -o "$pbcheck" ./pbcheck) \
  >"$work/build.log" 2>&1; then
  echo "compat/flytectl: built flytectl and pbcheck in $((SECONDS - start))s" >&2
  pass build-flytectl
else
  fail build-flytectl "go build failed: $(tail -n 5 "$work/build.log" | tr '\n' ' ')"
  echo "compat/flytectl: $failures scenario(s) failed" >&2
  exit 1
fi

# ---- pbcheck-unit-tests: pbcheck's own rules (schedule inputs, identifier placeholders, wrong
# message type) each reject what they should.
if (cd "$here" && go test -count=1 ./pbcheck) >"$work/pbcheck-test.log" 2>&1; then
  pass pbcheck-unit-tests
else
  fail pbcheck-unit-tests "$(grep -E -- '--- FAIL|FAIL|Error' "$work/pbcheck-test.log" | head -n 3 | tr '\n' ' ')"
fi

mapfile -t files < <(find "$COMPAT_SERIALIZED" -maxdepth 1 -type f -name '*.pb' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  fail inputs "no .pb files in COMPAT_SERIALIZED=$COMPAT_SERIALIZED"
  exit 1
fi

# register_files ARGS...: flytectl dry run with JSON debug logs in $work/last.log; table on stdout.
register_files() {
  "$flytectl" register files --dryRun -p "$project" -d "$domain" --version "$version" \
    --logger.level 6 --logger.formatter.type json "$@" >"$work/last.out" 2>"$work/last.log"
}

# ---- strict-decode: every file is the message type its name says, with no unknown field.
if "$pbcheck" "${files[@]}" >"$work/pbcheck.out" 2>"$work/pbcheck.err"; then
  counts="$(awk '{print $2}' "$work/pbcheck.out" | sort | uniq -c | tr -s ' ' | tr '\n' ',')"
  if [[ "$(wc -l <"$work/pbcheck.out")" -eq ${#files[@]} ]] && grep -q ' task ' "$work/pbcheck.out" \
    && grep -q ' workflow ' "$work/pbcheck.out" && grep -q ' launchplan ' "$work/pbcheck.out"; then
    echo "compat/flytectl: entities:${counts%,}" >&2
    pass strict-decode
  else
    fail strict-decode "expected ${#files[@]} entities with tasks, a workflow and launch plans, got: ${counts%,}"
  fi
else
  fail strict-decode "$(head -n 3 "$work/pbcheck.err" | tr '\n' ' ')"
fi

# ---- strict-decode-rejects-wrong-type: a TaskSpec named as a launch plan must not pass.
neg="$work/neg-wrong-type"
mkdir -p "$neg"
task_file="$(grep -m1 ' task ' "$work/pbcheck.out" | awk '{print $1}')"
if [[ -z "$task_file" ]]; then
  fail strict-decode-rejects-wrong-type "no task file among the inputs"
else
  cp "$COMPAT_SERIALIZED/$task_file" "$neg/0_wrong_3.pb"
  if "$pbcheck" "$neg/0_wrong_3.pb" >/dev/null 2>"$neg/err"; then
    fail strict-decode-rejects-wrong-type "pbcheck accepted a TaskSpec named _3.pb"
  elif grep -q 'unknown or mistyped field\|as admin.LaunchPlan' "$neg/err"; then
    pass strict-decode-rejects-wrong-type
  else
    fail strict-decode-rejects-wrong-type "unexpected error: $(head -n 1 "$neg/err")"
  fi
fi

# ---- dry-run: flytectl accepts every file except scheduled launch plans (see header) and
# lists each as a success.
mapfile -t scheduled < <(awk '$2 == "launchplan" && $0 !~ /schedule=none/ {print $1}' "$work/pbcheck.out")
dry_files=()
for f in "${files[@]}"; do
  skip=0
  for s in "${scheduled[@]}"; do [[ "$(basename "$f")" == "$s" ]] && skip=1; done
  [[ $skip -eq 0 ]] && dry_files+=("$f")
done
echo "compat/flytectl: dry run of ${#dry_files[@]} files; scheduled launch plans checked by pbcheck only: ${scheduled[*]:-none}" >&2
if register_files "${dry_files[@]}"; then
  missing=()
  for f in "${dry_files[@]}"; do
    grep -F "$f" "$work/last.out" | grep -q 'Success' || missing+=("$(basename "$f")")
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    fail dry-run "not listed as Success: ${missing[*]}"
  elif ! grep -q "${#dry_files[@]} rows" "$work/last.out"; then
    fail dry-run "expected '${#dry_files[@]} rows' in flytectl's table"
  else
    pass dry-run
  fi
  cp "$work/last.out" "$work/dry-run.out"
  cp "$work/last.log" "$work/dry-run.log"
else
  fail dry-run "flytectl exited non-zero: $(grep -v '^ *-' "$work/last.out" | grep -i fail | head -n 2 | tr -s ' ' | tr '\n' ' ') $(tail -n 2 "$work/last.log" | tr '\n' ' ')"
fi

# ---- dry-run-hydrates-identifiers: in flytectl's hydrated specs (debug log), every identifier
# carries -p/-d/--version; a concrete or misspelt placeholder in our files would survive here.
if [[ -f "$work/dry-run.log" ]]; then
  if reason="$(python3 - "$work/dry-run.log" "$project" "$domain" "$version" "${#dry_files[@]}" <<'EOF'
import json, sys
log, project, domain, version, expected = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
specs = []
for line in open(log):
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    msg = entry.get("msg", "")
    if msg.startswith("Hydrated spec : "):
        specs.append(json.loads(msg[len("Hydrated spec : "):]))
ids = []
def walk(node):
    if isinstance(node, dict):
        if "name" in node and "version" in node and "project" in node:
            ids.append(node)
        for value in node.values():
            walk(value)
    elif isinstance(node, list):
        for value in node:
            walk(value)
for spec in specs:
    walk(spec)
if len(specs) != expected:
    print(f"{len(specs)} hydrated specs in flytectl's log, expected {expected}")
    sys.exit(1)
bad = [i for i in ids if (i.get("project"), i.get("domain"), i.get("version")) != (project, domain, version)]
if not ids or bad:
    print(f"{len(bad)} of {len(ids)} identifiers not hydrated to {project}/{domain}/{version}, e.g. {bad[:1]}")
    sys.exit(1)
print(f"{len(ids)} identifiers in {len(specs)} specs")
EOF
  )"; then
    echo "compat/flytectl: hydrated $reason" >&2
    pass dry-run-hydrates-identifiers
  else
    fail dry-run-hydrates-identifiers "$reason"
  fi
else
  fail dry-run-hydrates-identifiers "no dry-run log (dry-run failed)"
fi

# expect_dry_run_failure NAME PATTERN FILE...: flytectl must exit non-zero and say PATTERN.
expect_dry_run_failure() {
  local name="$1" pattern="$2"
  shift 2
  if register_files "$@"; then
    fail "$name" "flytectl dry run succeeded"
  elif grep -qi -- "$pattern" "$work/last.out" "$work/last.log"; then
    pass "$name"
  else
    fail "$name" "flytectl failed without '$pattern': $(tail -n 2 "$work/last.log" | tr '\n' ' ')"
  fi
}

# ---- negative checks: prove that the dry run can fail on broken input.
neg="$work/neg"
mkdir -p "$neg"
wf_file="$(grep -m1 ' workflow ' "$work/pbcheck.out" | awk '{print $1}')"
# Dropping the last byte always breaks the wire format (a tag without value, or a length past
# the end), for whichever of the three types flytectl tries.
size=$(stat -c %s "$COMPAT_SERIALIZED/$wf_file")
head -c $((size - 1)) "$COMPAT_SERIALIZED/$wf_file" >"$neg/$wf_file"
expect_dry_run_failure dry-run-rejects-truncated-workflow "failed unmarshalling" "$neg/$wf_file"
task_size=$(stat -c %s "$COMPAT_SERIALIZED/$task_file")
head -c $((task_size / 2)) "$COMPAT_SERIALIZED/$task_file" >"$neg/$task_file"
expect_dry_run_failure dry-run-rejects-half-task "failed unmarshalling" "$neg/$task_file"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' >"$neg/9_garbage_1.pb"
expect_dry_run_failure dry-run-rejects-garbage "failed unmarshalling" "$neg/9_garbage_1.pb"
printf 'not a proto\n' >"$neg/notes.txt"
expect_dry_run_failure dry-run-rejects-non-pb-file "invalid files" "${dry_files[0]}" "$neg/notes.txt"

# ---- jflyte-serialize-reproduces-input: serializing the user code again gives the same
# entities (compared as deterministic encodings: protobuf map entry order may differ).
fresh="$work/serialized-fresh"
image="$(grep ' task ' "$work/pbcheck.out" | grep -o 'image=[^ ]*' | grep -v 'image=-' | head -n 1 | cut -d= -f2-)"
if ! FLYTE_INTERNAL_IMAGE="$image" "$COMPAT_JFLYTE_HOME/bin/jflyte" serialize workflows \
  -cp "$COMPAT_USER_CODE" -f "$fresh" >"$work/jflyte.log" 2>&1; then
  fail jflyte-serialize-reproduces-input "jflyte serialize failed: $(tail -n 3 "$work/jflyte.log" | tr '\n' ' ')"
elif ! "$pbcheck" "$fresh"/*.pb >"$work/pbcheck-fresh.out" 2>"$work/pbcheck-fresh.err"; then
  fail jflyte-serialize-reproduces-input "fresh output fails pbcheck: $(head -n 2 "$work/pbcheck-fresh.err" | tr '\n' ' ')"
elif ! diff <(awk '{print $1, $NF}' "$work/pbcheck.out") <(awk '{print $1, $NF}' "$work/pbcheck-fresh.out") \
  >"$work/serialize.diff"; then
  fail jflyte-serialize-reproduces-input "entities differ from COMPAT_SERIALIZED: $(head -n 4 "$work/serialize.diff" | tr '\n' ' ')"
else
  same_bytes=0
  for f in "$fresh"/*.pb; do cmp -s "$f" "$COMPAT_SERIALIZED/$(basename "$f")" && same_bytes=$((same_bytes + 1)); done
  echo "compat/flytectl: fresh serialization: $same_bytes of ${#files[@]} files byte-identical (the rest differ only in map entry order)" >&2
  pass jflyte-serialize-reproduces-input
fi

if [[ $failures -gt 0 ]]; then
  echo "compat/flytectl: $failures scenario(s) failed; logs in $work" >&2
  exit 1
fi
echo "compat/flytectl: all scenarios passed; logs in $work" >&2
