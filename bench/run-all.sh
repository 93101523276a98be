#!/usr/bin/env bash
# Runs the performance benchmarks of issue #6 (docs/performance.md) one after another and writes their Markdown tables,
# logs and wall times to .cache/bench/<UTC time>/ (ignored by git). Meant for a QUIET machine: nothing else may use the
# CPU while it runs, or the figures are not worth recording.
#
#   bench/run-all.sh                       # everything below except generator-eval; about 30-40 min on 2 cores
#   bench/run-all.sh --only engine,latency
#   bench/run-all.sh --smoke               # tiny counts: checks that every step runs (about 5-10 min); figures meaningless
#
# Steps (in this order):
#   engine          EngineBench: Kodak-24 and Sun-Hays80 against the codec floor, then size scaling (items 1-2)
#   (pgd-time and pgd-eval, the per-image PGD peer baseline of item 3, left with the concept families it attacked;
#   commit ebc26d6 is the last with bench/PgdBaseline, and docs/performance.md keeps its tables)
#   latency         load-test latency: protected vs plain YARP pass-through at concurrency 1, 8, 32, synthetic photos
#                   and Kodak-24 (item 4)
#   training        TrainingBench: owner-texture training images/s at 128 and 224 px on Kodak-24 (item 5)
#   generator-eval  (only with --only) uploadguard eval of the engine's active model on CIFAR-10, 1,000 per class, every
#                   class one owner (the protection alone takes about 15 min, the victims about 10)
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
only="engine,latency,training"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --smoke) smoke=true; shift ;;
    --only) only="$2"; shift 2 ;;
    *) echo "usage: bench/run-all.sh [--smoke] [--only step,step,...]" >&2; exit 2 ;;
  esac
done

data=../shared/data
for file in kodak24.tar sun-hays80.tar cifar10-jpg.tar.gz; do
  if [[ ! -f "$data/$file" ]]; then
    echo "run-all: $data/$file is missing; the benchmarks read ../shared/data (see its README)." >&2
    exit 2
  fi
done

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=.cache/bench/$stamp$($smoke && echo -smoke || true)
mkdir -p "$out"
summary="$out/summary.md"
{
  echo "# Benchmark run $stamp$($smoke && echo ' (SMOKE: tiny counts, not results)' || true)"
  echo
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -m);" \
    ".NET SDK $(dotnet --version); load average before the run: $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD)."
  echo
} > "$summary"

wants() { [[ ",$only," == *",$1,"* ]]; }

# step NAME COMMAND...: runs it, keeps its output in NAME.log, appends the command, its wall time and exit code to the
# summary. A failing step (e.g. a latency phase with refused uploads exits 1) is recorded and the run goes on.
failed=()
step() {
  local name="$1"; shift
  echo "== $name: $*" >&2
  local start end code
  start=$(date +%s)
  set +e
  "$@" 2>&1 | tee "$out/$name.log"
  code=${PIPESTATUS[0]}
  set -e
  end=$(date +%s)
  if [[ $code -ne 0 ]]; then failed+=("$name (exit $code)"); fi
  {
    echo "## $name ($((end - start)) s, exit code $code)"
    echo
    echo '```bash'
    echo "$*"
    echo '```'
    echo
    if [[ -f "$out/$name.md" ]]; then cat "$out/$name.md"; echo; fi
  } >> "$summary"
}

echo "== building (Release)" >&2
for project in bench/EngineBench bench/TrainingBench bench/LoadTest tests/Gateway.Tests src/Cli; do
  dotnet build "$project" -c Release --nologo -v quiet
done

if $smoke; then
  per_class=2; epochs=1
  latency_synthetic=(--concurrency 1,4 --requests 6 --warmup 1)
  latency_kodak=(--concurrency 1 --requests 3 --warmup 1 --max-photos 3)
  training=(--max-images 12 --steps 3 --batch 4)
  engine_repeat=1
else
  per_class=1000; epochs=15
  latency_synthetic=(--concurrency 1,8,32 --requests 200 --warmup 10)
  latency_kodak=(--concurrency 1,8,32 --requests 96 --warmup 8)
  training=(--steps 30)
  engine_repeat=3
fi

if wants engine; then
  mkdir -p .cache/bench/data
  tar -xf "$data/kodak24.tar" -C .cache/bench/data
  tar -xf "$data/sun-hays80.tar" -C .cache/bench/data
  # EngineBench prints Markdown to stdout; its log is the table.
  step engine-folders dotnet run --project bench/EngineBench -c Release --no-build -- \
    folders .cache/bench/data/PhotoCD_PCD0992 .cache/bench/data/CSun_Hays80 --repeat "$engine_repeat"
  cp "$out/engine-folders.log" "$out/engine-folders.md"
  if ! $smoke; then
    step engine-scaling dotnet run --project bench/EngineBench -c Release --no-build -- scaling --repeat "$engine_repeat"
    cp "$out/engine-scaling.log" "$out/engine-scaling.md"
  fi
fi

if wants generator-eval; then
  step generator-eval dotnet run --project src/Cli -c Release --no-build -- \
    eval --data "$data/cifar10-jpg.tar.gz" --train-subset cifar10-jpg/train/ --test-subset cifar10-jpg/test/ --per-class "$per_class" \
    --rows clean,protected --arch resnet20 --epochs "$epochs" --out "$out/generator-eval.json" --markdown "$out/generator-eval.md"
fi

if wants latency; then
  step latency-synthetic dotnet run --project bench/LoadTest -c Release --no-build -- \
    latency --bin tests/Gateway.Tests/bin/Release/net10.0 "${latency_synthetic[@]}" --out "$out/latency-synthetic.md"
  step latency-kodak dotnet run --project bench/LoadTest -c Release --no-build -- \
    latency --bin tests/Gateway.Tests/bin/Release/net10.0 --photos "$data/kodak24.tar" "${latency_kodak[@]}" --out "$out/latency-kodak.md"
fi

if wants training; then
  step training dotnet run --project bench/TrainingBench -c Release --no-build -- \
    --data "$data/kodak24.tar" --sizes 128,224 "${training[@]}" --out "$out/training.md"
fi

echo "== done: $summary" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run-all: failed steps: ${failed[*]}" >&2
  exit 1
fi
