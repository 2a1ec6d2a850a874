#!/usr/bin/env bash
# Runs the connector-service compat suite: Flyte's connector-service plugin (flyteplugins v1.16.8)
# driving our agent. Prints one line per scenario (PASS <name> / FAIL <name>: <reason>) and exits
# non-zero on any failure.
#
# Inputs (compat/run produces them): COMPAT_AGENT_HOME (agent distribution), COMPAT_USER_CODE
# (example jars + flytekit-java), COMPAT_SERIALIZED (jflyte serialize output of the example);
# COMPAT_WORK: scratch directory (default: a new temporary directory). Logs of the agents and the
# raw `go test -json` stream stay in COMPAT_WORK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../harness/run-suite.sh" "$here" connector-service
