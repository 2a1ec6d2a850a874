#!/usr/bin/env bash
# Runs the agent-service compat suite: propeller's agent-service plugin (Flyte 1.13 - 1.15.0
# semantics; see e2e/scenarios_test.go for which release's code runs) driving our agent. Prints
# one line per scenario (PASS <name> / FAIL <name>: <reason>) and exits non-zero on any failure.
#
# Inputs: COMPAT_AGENT_HOME, COMPAT_USER_CODE, COMPAT_SERIALIZED; COMPAT_WORK (default: a new
# temporary directory). See ../connector/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../harness/run-suite.sh" "$here" agent-service
