#!/usr/bin/env bash
# run-suite.sh <module dir> <label>: builds and runs the Go tests of one compat module, prints
# one line per test from `go test -json` (harness/cmd/testreport), and kills every process the
# tests started (recorded in $COMPAT_WORK/pids) whatever happens.
set -euo pipefail
module=$1
label=$2
harness=$(cd "$(dirname "$0")" && pwd)

for v in COMPAT_AGENT_HOME COMPAT_USER_CODE COMPAT_SERIALIZED; do
  if [ -z "${!v:-}" ]; then
    echo "FAIL setup: environment variable $v is not set (COMPAT_AGENT_HOME: agent distribution with bin/flyte-agent; COMPAT_USER_CODE: example jars + flytekit-java; COMPAT_SERIALIZED: jflyte serialize output)" >&2
    exit 2
  fi
  if [ ! -e "${!v}" ]; then
    echo "FAIL setup: $v=${!v} does not exist" >&2
    exit 2
  fi
done
if [ ! -x "$COMPAT_AGENT_HOME/bin/flyte-agent" ]; then
  echo "FAIL setup: COMPAT_AGENT_HOME=$COMPAT_AGENT_HOME has no bin/flyte-agent" >&2
  exit 2
fi
if ! command -v go >/dev/null; then
  echo "FAIL setup: go is not on PATH" >&2
  exit 2
fi
export COMPAT_WORK=${COMPAT_WORK:-$(mktemp -d -t "compat-$label-XXXXXX")}
mkdir -p "$COMPAT_WORK"
: > "$COMPAT_WORK/pids"

cleanup() {
  # Only the process groups our tests started.
  while read -r pid; do
    [ -n "$pid" ] && kill -KILL -- "-$pid" 2>/dev/null || true
  done < "$COMPAT_WORK/pids"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== $label compat suite (work dir $COMPAT_WORK)"
start=$(date +%s)
(cd "$harness" && go build -o "$COMPAT_WORK/testreport" ./cmd/testreport)
cd "$module"
# Compile first (its time is not the suite's), then run with a bound.
if ! go test -count=1 -run '^$' ./... >"$COMPAT_WORK/build.log" 2>&1; then
  cat "$COMPAT_WORK/build.log"
  echo "FAIL build: the $label test packages do not compile (above)"
  exit 1
fi
built=$(date +%s)
set +e
go test -json -count=1 -p 1 -timeout 9m ./... 2>&1 | "$COMPAT_WORK/testreport" -raw "$COMPAT_WORK/go-test.json"
status=$?
set -e
end=$(date +%s)
echo "== $label: build $((built - start))s, tests $((end - built))s; logs in $COMPAT_WORK"
exit $status
