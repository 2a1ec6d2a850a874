#!/usr/bin/env bash
# Creates compat/python/.venv with exactly the pins of requirements.txt (flytekit 1.16.x and its
# dependency closure). Skips the install when the venv already holds exactly those pins.
# Env: COMPAT_PYTHON = interpreter to build the venv with (default python3).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
VENV="$HERE/.venv"
REQ="$HERE/requirements.txt"
PY=${COMPAT_PYTHON:-python3}

command -v "$PY" >/dev/null || { echo "setup-venv: '$PY' not found; set COMPAT_PYTHON to a Python >= 3.9" >&2; exit 2; }

wanted() { grep -v '^[[:space:]]*#' "$REQ" | grep -v '^[[:space:]]*$' | tr 'A-Z_' 'a-z-' | sort; }
installed() { "$VENV/bin/python" -m pip freeze --disable-pip-version-check 2>/dev/null | tr 'A-Z_' 'a-z-' | sort; }

if [ -x "$VENV/bin/python" ] && [ "$(installed)" = "$(wanted)" ]; then
  echo "setup-venv: $VENV already holds the pins of requirements.txt; nothing to install"
  exit 0
fi

start=$(date +%s)
if [ ! -x "$VENV/bin/python" ]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi
# --no-deps: requirements.txt is the full closure, so pip installs exactly it and nothing else.
"$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps -r "$REQ"
"$VENV/bin/python" -m pip check --disable-pip-version-check
extra=$(comm -23 <(installed) <(wanted) || true)
if [ -n "$extra" ]; then
  echo "setup-venv: removing packages not in requirements.txt: $(echo "$extra" | tr '\n' ' ')"
  echo "$extra" | sed 's/==.*//' | xargs "$VENV/bin/python" -m pip uninstall -q -y
fi
[ "$(installed)" = "$(wanted)" ] || { echo "setup-venv: $VENV does not match requirements.txt after the install" >&2; diff <(installed) <(wanted) >&2 || true; exit 1; }
echo "setup-venv: installed requirements.txt into $VENV in $(( $(date +%s) - start )) s"
