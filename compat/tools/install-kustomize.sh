#!/usr/bin/env bash
# Makes a `kustomize` binary available for KustomizeOverlaysTest on a machine without kubectl.
#
# kubectl has kustomize built in (`kubectl kustomize DIR`), so with kubectl on PATH this does
# nothing. Otherwise it builds kustomize from its published Go module with the machine's Go
# toolchain into a cache directory (skipped when the right version is already there) and prints
# that directory on stdout as its last line, for the caller to put on PATH:
#
#   bin_dir="$(compat/tools/install-kustomize.sh | tail -n 1)" && export PATH="$bin_dir:$PATH"
#
# Env: FLYTEPLUGIN_COMPAT_BIN  install directory (default $HOME/.cache/flyteplugin-compat/bin)
#      KUSTOMIZE_FORCE_INSTALL=1  build even when kubectl is on PATH (used to test this script)
set -euo pipefail

# v5.8.2 is the kustomize CLI release built on sigs.k8s.io/kustomize/api v0.21.2, the newest api
# release known to build with this machine's Go (1.26.x); v5.8.2's go.mod asks for go 1.26.0.
readonly KUSTOMIZE_MODULE="sigs.k8s.io/kustomize/kustomize/v5"
readonly KUSTOMIZE_VERSION="v5.8.2"
bin_dir="${FLYTEPLUGIN_COMPAT_BIN:-${HOME:?HOME is not set; set FLYTEPLUGIN_COMPAT_BIN to an install directory}/.cache/flyteplugin-compat/bin}"

if command -v kubectl >/dev/null 2>&1 && [[ "${KUSTOMIZE_FORCE_INSTALL:-0}" != 1 ]]; then
  echo "install-kustomize: kubectl found at $(command -v kubectl) (kustomize built in); nothing to install" >&2
  echo "$bin_dir"
  exit 0
fi

installed_version() {
  # `kustomize version` prints the module version recorded in the binary's build info.
  [[ -x "$bin_dir/kustomize" ]] && "$bin_dir/kustomize" version 2>/dev/null | head -n 1 || true
}

if [[ "$(installed_version)" == "$KUSTOMIZE_VERSION" ]]; then
  echo "install-kustomize: $bin_dir/kustomize $KUSTOMIZE_VERSION already installed" >&2
  echo "$bin_dir"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "install-kustomize: neither kubectl nor go is on PATH: install kubectl (kustomize is built in) or Go >= 1.26 to build kustomize $KUSTOMIZE_VERSION" >&2
  exit 1
fi

mkdir -p "$bin_dir"
echo "install-kustomize: building $KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION into $bin_dir" >&2
start=$SECONDS
# GOTOOLCHAIN=local: never try to download another Go toolchain (that cannot work here).
# GOFLAGS cleared: a project-wide -mod=vendor or similar must not leak into `go install pkg@ver`.
GOTOOLCHAIN=local GOFLAGS= GOBIN="$bin_dir" go install "$KUSTOMIZE_MODULE@$KUSTOMIZE_VERSION" >&2
got="$(installed_version)"
if [[ "$got" != "$KUSTOMIZE_VERSION" ]]; then
  echo "install-kustomize: built $bin_dir/kustomize but 'kustomize version' says '$got', expected $KUSTOMIZE_VERSION" >&2
  exit 1
fi
echo "install-kustomize: built kustomize $KUSTOMIZE_VERSION in $((SECONDS - start))s" >&2
echo "$bin_dir"
