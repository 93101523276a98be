#!/usr/bin/env bash
# Runs the performance benchmarks of issue #6 (docs/performance.md) one after another and writes their Markdown tables,
# logs and wall times to .cache/bench/<UTC time>/ (ignored by git). Meant for a QUIET machine: nothing else may use the
# CPU while it runs, or the figures are not worth recording.
#
#   bench/run-all.sh                       # everything below except generator-eval; about 65-80 min on 2 cores
#   bench/run-all.sh --only pgd-time,latency
#   bench/run-all.sh --smoke               # tiny counts: checks that every step runs (about 5-10 min); figures meaningless
#
# Steps (in this order):
#   engine          EngineBench: Kodak-24 and Sun-Hays80 against the codec floor, then size scaling (items 1-2)
#   pgd-time        PgdBaseline time: PGD vs the generator per image on Kodak-24 (native 768x512) and on CIFAR-10 test
#                   images (32 px, surrogate view 64 px) at batch 1 and batch 32 (item 3)
#   pgd-eval        PgdBaseline protect-dataset: CIFAR-10, 1,000 per class, PGD-protected into .cache/pgd/, then
#                   uploadguard eval of a ResNet-20 trained on it (the "clean" row of that folder = trained on PGD) (item 3)
#   latency         load-test latency: protected vs plain YARP pass-through at concurrency 1, 8, 32, synthetic photos
#                   and Kodak-24 (item 4)
#   training        TrainingBench: generator training images/s at 112 and 224 px on Kodak-24 (item 5)
#   generator-eval  (only with --only) uploadguard eval of the engine's active model on the same CIFAR-10 split: the
#                   generator's row beside the PGD row (the protection alone takes about 15 min, the victims about 10)
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=false
only="engine,pgd-time,pgd-eval,latency,training"
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
for project in bench/EngineBench bench/PgdBaseline bench/TrainingBench bench/LoadTest tests/Gateway.Tests src/Cli; do
  dotnet build "$project" -c Release --nologo -v quiet
done

if $smoke; then
  pgd_kodak=(--max-images 3 --k 2 --steps 2 --engine-repeat 1)
  pgd_cifar1=(--max-images 8 --k 2 --steps 2 --engine-repeat 1)
  pgd_cifar32=(--max-images 16 --k 2 --steps 2 --batch 8 --engine-repeat 1)
  per_class=2; pgd_steps=2; pgd_k=3; epochs=1
  latency_synthetic=(--concurrency 1,4 --requests 6 --warmup 1)
  latency_kodak=(--concurrency 1 --requests 3 --warmup 1 --max-photos 3)
  training=(--max-images 12 --k 3 --steps 3 --batch 4)
  engine_repeat=1
else
  pgd_kodak=(--k 10 --repeat 1 --engine-repeat 3)
  pgd_cifar1=(--max-images 200 --k 10 --batch 1 --repeat 1 --engine-repeat 3)
  pgd_cifar32=(--max-images 640 --k 10 --batch 32 --repeat 1 --engine-repeat 1)
  per_class=1000; pgd_steps=10; pgd_k=10; epochs=15
  latency_synthetic=(--concurrency 1,8,32 --requests 200 --warmup 10)
  latency_kodak=(--concurrency 1,8,32 --requests 96 --warmup 8)
  training=(--steps 30 --batch 16)
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

if wants pgd-time; then
  step pgd-time-kodak dotnet run --project bench/PgdBaseline -c Release --no-build -- \
    time --data "$data/kodak24.tar" "${pgd_kodak[@]}" --out "$out/pgd-time-kodak.md"
  step pgd-time-cifar-batch1 dotnet run --project bench/PgdBaseline -c Release --no-build -- \
    time --data "$data/cifar10-jpg.tar.gz" --subset cifar10-jpg/test/ --surrogate-size 64 "${pgd_cifar1[@]}" --out "$out/pgd-time-cifar-batch1.md"
  step pgd-time-cifar-batch32 dotnet run --project bench/PgdBaseline -c Release --no-build -- \
    time --data "$data/cifar10-jpg.tar.gz" --subset cifar10-jpg/test/ --surrogate-size 64 "${pgd_cifar32[@]}" --out "$out/pgd-time-cifar-batch32.md"
fi

pgd_folder=.cache/pgd/cifar10-pc${per_class}-s64-steps${pgd_steps}
if wants pgd-eval; then
  step pgd-protect dotnet run --project bench/PgdBaseline -c Release --no-build -- \
    protect-dataset --data "$data/cifar10-jpg.tar.gz" --train-subset cifar10-jpg/train/ --test-subset cifar10-jpg/test/ \
    --per-class "$per_class" --size 32 --surrogate-size 64 --batch 32 --steps "$pgd_steps" --k "$pgd_k" --out "$pgd_folder" --overwrite
  cp "$pgd_folder/pgd-run.json" "$out/pgd-protect.json" 2>/dev/null || true
  step pgd-eval dotnet run --project src/Cli -c Release --no-build -- \
    eval --data "$pgd_folder" --train-subset cifar10-jpg/train/ --test-subset cifar10-jpg/test/ --per-class "$per_class" \
    --model none --rows clean --arch resnet20 --epochs "$epochs" --out "$out/pgd-eval.json" --markdown "$out/pgd-eval.md"
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
    --data "$data/kodak24.tar" --sizes 112,224 "${training[@]}" --out "$out/training.md"
fi

echo "== done: $summary" >&2
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run-all: failed steps: ${failed[*]}" >&2
  exit 1
fi
