#!/usr/bin/env bash
# Performance peer comparison: the same agent-protocol load against
#   python = flytekit 1.16 `pyflyte serve connector` with the in-memory example_plugin connector
#            (example_connector.py: the Python peer's best case), and
#   ours   = our flyte-agent in embedded mode,
# one server after the other (never both at once), then the figures side by side with the ratio
# ours/python and one line per check: PASS <name> / FAIL <name>: <reason>. Exits non-zero on any
# failure. Both servers are killed on exit (trap).
#
# Env (required): COMPAT_AGENT_HOME (agent distribution: bin/flyte-agent), COMPAT_USER_CODE (jars
# with the example tasks, for the embedded driver), COMPAT_SERIALIZED (serialized example tasks).
# Env (optional): COMPAT_WORK (scratch dir; default a new mktemp dir), COMPAT_LOAD_ARGS (extra
# flags for `load run`, e.g. "-n 300 -steady 5s"), COMPAT_PY_WORKERS (pyflyte --worker, default
# 10), COMPAT_PY_SUCCEED_AFTER (seconds until the Python connector reports SUCCEEDED, default 0.5).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LOAD_SRC="$ROOT/compat/load"

missing=()
for v in COMPAT_AGENT_HOME COMPAT_USER_CODE COMPAT_SERIALIZED; do
  [ -n "${!v:-}" ] || missing+=("$v")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "FAIL environment: ${missing[*]} not set (COMPAT_AGENT_HOME = agent distribution with bin/flyte-agent, COMPAT_USER_CODE = jars with the example tasks, COMPAT_SERIALIZED = serialized example tasks)" >&2
  exit 2
fi
[ -x "$COMPAT_AGENT_HOME/bin/flyte-agent" ] || { echo "FAIL environment: COMPAT_AGENT_HOME=$COMPAT_AGENT_HOME has no executable bin/flyte-agent" >&2; exit 2; }
[ -e "$COMPAT_USER_CODE" ] || { echo "FAIL environment: COMPAT_USER_CODE=$COMPAT_USER_CODE does not exist" >&2; exit 2; }
[ -d "$COMPAT_SERIALIZED" ] || { echo "FAIL environment: COMPAT_SERIALIZED=$COMPAT_SERIALIZED is not a directory" >&2; exit 2; }
command -v go >/dev/null || { echo "FAIL environment: go is not on PATH (needed to build compat/load)" >&2; exit 2; }
if [ -z "${COMPAT_WORK:-}" ]; then
  COMPAT_WORK=$(mktemp -d -t compat-perf.XXXXXX)
fi
mkdir -p "$COMPAT_WORK"
export COMPAT_WORK COMPAT_SERIALIZED
echo "compat perf: work dir $COMPAT_WORK"

FAILS=0
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  SERVER_PID=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

# 1. The Python peer's venv (skipped when it already holds the pins).
t0=$(date +%s)
if ! "$HERE/setup-venv.sh"; then
  echo "FAIL python-venv: setup-venv.sh failed"
  exit 1
fi
echo "compat perf: python venv ready in $(( $(date +%s) - t0 )) s"
PY="$HERE/.venv/bin/python"

# 2. The load program (built here, never committed).
mkdir -p "$COMPAT_WORK/bin"
if ! (cd "$LOAD_SRC" && go build -o "$COMPAT_WORK/bin/load" .); then
  echo "FAIL load-build: go build in compat/load failed"
  exit 1
fi
LOAD="$COMPAT_WORK/bin/load"
if (cd "$LOAD_SRC" && go test ./... > "$COMPAT_WORK/load-tests.log" 2>&1); then
  echo "PASS load-unit-tests"
else
  fail load-unit-tests "go test in compat/load failed: $(tail -5 "$COMPAT_WORK/load-tests.log" | tr '\n' ' ')"
fi

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
CLK_TCK=$(getconf CLK_TCK)
# shellcheck disable=SC2206
LOAD_ARGS=(${COMPAT_LOAD_ARGS:-})
PY_WORKERS=${COMPAT_PY_WORKERS:-10}
export COMPAT_PY_SUCCEED_AFTER=${COMPAT_PY_SUCCEED_AFTER:-0.5}

PY_INCLUDES="flytekit $("$PY" -c 'import flytekit; print(flytekit.__version__)') pyflyte serve connector (grpc.aio, --worker $PY_WORKERS, Prometheus on): example_connector.py keeps jobs in a dict, create records a timestamp, get answers RUNNING then SUCCEEDED after ${COMPAT_PY_SUCCEED_AFTER}s; no task runs, nothing is written (the Python peer's best case)"
OURS_INCLUDES="flyte-agent --embedded --embedded-workload none, one JVM (default JAVA_OPTS=${JAVA_OPTS:-none}): the agent (CreateTask builds + creates a SparkApplication, GetTask answers from the informer cache, signed resource_meta, metrics) PLUS the SIMULATED Kubernetes API server (fabric8 mock, vert.x) and the SIMULATED Spark operator (a thread per app, 200 ms steps, driver pods); the simulated driver succeeds 500 ms after RUNNING without running the task (as the Python peer runs nothing; with tasks running, each would start a real local Spark), with INFO logging of each transition"

# 3. Python peer.
PORT=$(free_port); MPORT=$(free_port)
echo "compat perf: starting pyflyte serve connector on 127.0.0.1:$PORT (Prometheus $MPORT)"
# pyflyte binds [::]:PORT and Prometheus 0.0.0.0 (flytekit's serve.py has no bind-address flag);
# the load reaches it over loopback only, and the server lives only for this run.
(cd "$HERE" && exec "$HERE/.venv/bin/pyflyte" serve connector --port "$PORT" --prometheus_port "$MPORT" \
  --worker "$PY_WORKERS" --modules example_connector) > "$COMPAT_WORK/python-server.log" 2>&1 &
SERVER_PID=$!
"$LOAD" run -name python -addr "127.0.0.1:$PORT" -pid "$SERVER_PID" -clk-tck "$CLK_TCK" \
  -out "$COMPAT_WORK/python.json" -includes "$PY_INCLUDES" "${LOAD_ARGS[@]}" || true
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  fail server-python "pyflyte exited during the run; see $COMPAT_WORK/python-server.log: $(tail -3 "$COMPAT_WORK/python-server.log" | tr '\n' ' ')"
fi
stop_server

# 4. Our agent, embedded.
PORT=$(free_port); MPORT=$(free_port)
head -c 32 /dev/urandom | base64 > "$COMPAT_WORK/hmac.key"
chmod 600 "$COMPAT_WORK/hmac.key"
echo "compat perf: starting flyte-agent --embedded on 127.0.0.1:$PORT (metrics $MPORT)"
"$COMPAT_AGENT_HOME/bin/flyte-agent" --embedded --embedded-workload none --port "$PORT" --metrics-port "$MPORT" \
  --user-code "$COMPAT_USER_CODE" --hmac-key-file "$COMPAT_WORK/hmac.key" \
  > "$COMPAT_WORK/ours-server.log" 2>&1 &
SERVER_PID=$!
"$LOAD" run -name ours -addr "127.0.0.1:$PORT" -pid "$SERVER_PID" -clk-tck "$CLK_TCK" \
  -out "$COMPAT_WORK/ours.json" -includes "$OURS_INCLUDES" "${LOAD_ARGS[@]}" || true
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  fail server-ours "flyte-agent exited during the run; see $COMPAT_WORK/ours-server.log: $(tail -3 "$COMPAT_WORK/ours-server.log" | tr '\n' ' ')"
fi
stop_server

# 5. Side by side, ratio ours/python, PASS/FAIL per check.
if ! "$LOAD" compare "$COMPAT_WORK/python.json" "$COMPAT_WORK/ours.json"; then
  FAILS=$((FAILS + 1))
fi
echo "compat perf: logs and results in $COMPAT_WORK"
[ "$FAILS" -eq 0 ]
