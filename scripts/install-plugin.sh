#!/usr/bin/env bash
# Installs an XLA PJRT plugin into nest's plugin cache, where `nest` finds it:
#   $NEST_CACHE_DIR, else $XDG_CACHE_HOME/nest, else ~/.cache/nest,
#   then plugins/<kind>/<file>.so
# Usage: scripts/install-plugin.sh [cpu|cuda12]   (default: cpu)
# Idempotent: an installed plugin is left as it is (set NEST_PLUGIN_REINSTALL=1
# to replace it). Needs python3 with pip; the wheel is a zip file.
set -euo pipefail

kind="${1:-cpu}"
case "$kind" in
  cpu) package=xla-cpu-pjrt; inner=xla_plugins/xla_cpu_pjrt/xla_cpu_pjrt.so; file=xla_cpu_pjrt.so ;;
  cuda12) package=xla-cuda12-pjrt; inner=xla_plugins/xla_cuda12_pjrt/xla_gpu_pjrt.so; file=xla_gpu_pjrt.so ;;
  *) echo "usage: $0 [cpu|cuda12]" >&2; exit 2 ;;
esac

if [[ -n "${NEST_CACHE_DIR:-}" ]]; then
  cache="$NEST_CACHE_DIR"
elif [[ -n "${XDG_CACHE_HOME:-}" ]]; then
  cache="$XDG_CACHE_HOME/nest"
else
  cache="$HOME/.cache/nest"
fi
dir="$cache/plugins/$kind"
target="$dir/$file"

if [[ -f "$target" && "${NEST_PLUGIN_REINSTALL:-0}" != 1 ]]; then
  echo "$target"
  exit 0
fi

mkdir -p "$dir"
work="$(mktemp -d "$dir/.download-XXXXXX")"
trap 'rm -rf "$work"' EXIT

python3 -m pip download --quiet --no-deps --dest "$work/wheel" "$package" >&2
wheel="$(find "$work/wheel" -name '*.whl' | head -n 1)"
if [[ -z "$wheel" ]]; then
  echo "pip download $package produced no wheel" >&2
  exit 1
fi
python3 -m zipfile -e "$wheel" "$work/unpacked"
if [[ ! -f "$work/unpacked/$inner" ]]; then
  echo "the wheel of $package has no $inner" >&2
  exit 1
fi
# Copy under a temporary name, then rename: a reader never sees half a file.
cp "$work/unpacked/$inner" "$work/$file"
mv -f "$work/$file" "$target"
echo "$target"
