#!/usr/bin/env bash
# Step times of the FC (784-1024-1024-10, B=64) and ResNet18 (MNIST, B=64) training steps, bp,
# simulated node frog k=16 and true forward node frog k=16, on webgpu and, where it is set up, on
# the native tensorflow backend (tfjs-node-gpu on a CUDA machine). Writes one JSON per backend.
#
# Prepare (here, with the Deno cache or network):   bench/device/run.sh --build
#   bundles bench/device/measure.ts with tfjs and its webgpu backend into bench/device/dist/
#   (about 4 MiB, git-ignored). Carry that folder with the checkout.
# Run (on the GPU machine, no network needed):      bench/device/run.sh [--tiny] [--repeats N] [--out DIR]
#   needs: a deno binary (2.4 or later; on PATH or DENO=/path/to/deno), a WebGPU adapter (a GPU
#   driver with Vulkan; `deno` reports none otherwise and the webgpu row is skipped).
#   tensorflow: measured only when a native backend is set up for this checkout (FG_NATIVE_DIR or
#   .native/, `deno task setup-native --gpu`) and the checkout's npm packages are present
#   (node_modules/, ~430 MiB: not part of the carried files); otherwise skipped with the reason.
# Output: DIR (default bench/device/out/) with webgpu.json, tensorflow.json and machine.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
deno="${DENO:-deno}"
out="$here/out"
args=()
build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=1 ;;
    --tiny) args+=(--tiny) ;;
    --repeats) args+=(--repeats "$2"); shift ;;
    --k) args+=(--k "$2"); shift ;;
    --out) out="$2"; shift ;;
    *) echo "error: unknown flag $1; allowed flags: --build, --tiny, --repeats N, --k K, --out DIR" >&2; exit 2 ;;
  esac
  shift
done
if ! command -v "$deno" >/dev/null 2>&1; then
  echo "error: no deno binary (put it on PATH or set DENO=/path/to/deno)" >&2
  exit 2
fi
if [ "$build" = 1 ]; then
  rm -rf "$here/dist"
  (cd "$root" && "$deno" bundle --platform deno --code-splitting --outdir "$here/dist" bench/device/measure.ts)
  du -sh "$here/dist"
  exit 0
fi
if [ ! -f "$here/dist/measure.js" ]; then
  echo "error: bench/device/dist/ is missing: run bench/device/run.sh --build where the Deno cache or network is" >&2
  exit 2
fi
mkdir -p "$out"
# Deno's WebGPU (wgpu) complains when XDG_RUNTIME_DIR is unset; any writable folder will do.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
{
  echo "date: $(date -u +%FT%TZ)"
  echo "uptime: $(uptime)"
  echo "deno: $("$deno" --version | head -1)"
  echo "cpus: $(nproc)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  else
    echo "nvidia-smi: not found"
  fi
} > "$out/machine.txt"
status=0
echo "== webgpu" >&2
if ! "$deno" run -A --no-config "$here/dist/measure.js" --backend webgpu "${args[@]}" --out "$out/webgpu.json"; then
  echo "webgpu: skipped or failed (see above)" >&2
  status=1
fi
echo "== tensorflow" >&2
if [ -z "${FG_NATIVE_DIR:-}" ] && [ ! -f "$root/.native/install.json" ]; then
  echo "tensorflow: skipped: no native backend set up (FG_NATIVE_DIR or .native/: deno task setup-native --gpu)" >&2
elif [ ! -d "$root/node_modules/@tensorflow" ]; then
  echo "tensorflow: skipped: the checkout's npm packages (node_modules/) are not here" >&2
else
  (cd "$root" && "$deno" run -A bench/device/measure.ts --backend tensorflow "${args[@]}" --out "$out/tensorflow.json") || status=1
fi
echo "results in $out" >&2
exit $status
