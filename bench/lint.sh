#!/usr/bin/env bash
# Lint throughput on a generated corpus of 50,714 resources (kubeconform's published benchmark
# size: 6.7 s on 4 cores) mixing Deployments, ScaledObjects, HPAs and Kueue objects. Times a
# parse-only pass (same file walk, reads and positioned loader, no rules) and the full lint,
# best of N runs (default 3), and prints resources per second, CPU seconds and the lint/parse
# ratio against the goals (>= 50,000 resources/s on 2 cores; lint within 1.5x of parse-only).
# Both read and parse files on all cores, through the same code. On a shared machine the load
# average printed beside the figures says how much of the cores the runs had. Where
# `kubernetes-validate` or `checkov` install from PyPI (into a throwaway venv), times them on
# the same corpus (once, with a 10-minute cap) and prints the ratio; BENCH_OTHERS=no skips
# them. Asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
resources=50714
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT

python3 bench/gen_lint_corpus.py "$corpus/manifests" "$resources" >&2
cargo build --release --quiet --bin kubectl-infer --example lint_parse_only
bin=target/release/kubectl-infer
parse=target/release/examples/lint_parse_only
cores="$(nproc)"

# Best wall time of "$@" over $runs runs (stdout discarded), as "wall_s cpu_s": the CPU time
# (user + system, all threads) is the best run's, when /usr/bin/time can measure it.
best() {
  local best_ns="" best_cpu="" start end cpu timing
  timing="$(mktemp)"
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f '%U %S' -o "$timing" "$@" >/dev/null 2>&1 || true
      cpu="$(awk 'END {printf "%.2f", $1 + $2}' "$timing")"
    else
      "$@" >/dev/null 2>&1 || true
      cpu="?"
    fi
    end=$(date +%s%N)
    if [ -z "$best_ns" ] || [ $(( end - start )) -lt "$best_ns" ]; then
      best_ns=$(( end - start ))
      best_cpu="$cpu"
    fi
  done
  rm -f "$timing"
  awk -v ns="$best_ns" -v cpu="$best_cpu" 'BEGIN {printf "%.3f %s", ns / 1e9, cpu}'
}

# lint exits 1 when it finds something (the corpus has deliberate mistakes), which is not a
# failure of the benchmark.
{ "$bin" lint --format json "$corpus/manifests" || [ $? -eq 1 ]; } \
  | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; print("lint found %d errors, %d warnings, %d info in %d objects" % (s["errors"], s["warnings"], s["infos"], s["objects"]))' >&2

load="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
read -r parse_s parse_cpu <<<"$(best "$parse" "$corpus/manifests")"
read -r lint_s lint_cpu <<<"$(best "$bin" lint --format json "$corpus/manifests")"
rate="$(awk -v n="$resources" -v s="$lint_s" 'BEGIN {printf "%.0f", n / s}')"
parse_rate="$(awk -v n="$resources" -v s="$parse_s" 'BEGIN {printf "%.0f", n / s}')"
ratio="$(awk -v a="$lint_s" -v b="$parse_s" 'BEGIN {printf "%.2f", a / b}')"
rate_ok="$(awk -v r="$rate" 'BEGIN {print (r >= 50000) ? "meets" : "misses"}')"
ratio_ok="$(awk -v r="$ratio" 'BEGIN {print (r <= 1.5) ? "meets" : "misses"}')"

echo "corpus: $resources resources, $(ls "$corpus/manifests" | wc -l) files, $(du -sh "$corpus/manifests" | cut -f1); $cores cores (load average before: $load); best of $runs"
echo "parse only: ${parse_s} s wall, ${parse_cpu} s CPU (${parse_rate} resources/s)"
echo "lint:       ${lint_s} s wall, ${lint_cpu} s CPU (${rate} resources/s); goal >= 50000/s: ${rate_ok}"
echo "lint / parse-only: ${ratio}x; goal <= 1.5x: ${ratio_ok}"

# Other tools, when they install from PyPI (they take minutes: BENCH_OTHERS=no skips them).
venv="$corpus/venv"
if [ "${BENCH_OTHERS:-yes}" != no ] && python3 -m venv "$venv" >/dev/null 2>&1; then
  for tool in kubernetes-validate checkov; do
    if ! "$venv/bin/pip" install --quiet "$tool" >/dev/null 2>&1; then
      echo "$tool: did not install from PyPI; skipped"
      continue
    fi
    case "$tool" in
      kubernetes-validate) cmd=("$venv/bin/kubernetes-validate" --quiet "$corpus"/manifests/*.yaml) ;;
      checkov) cmd=("$venv/bin/checkov" --quiet --compact -d "$corpus/manifests" --framework kubernetes) ;;
    esac
    start=$(date +%s%N)
    timeout 600 "${cmd[@]}" >/dev/null 2>&1 && status=0 || status=$?
    end=$(date +%s%N)
    s="$(awk -v ns="$(( end - start ))" 'BEGIN {printf "%.3f", ns / 1e9}')"
    note=""
    if [ "$status" -eq 124 ]; then note=" (stopped at the 10-minute cap)"; fi
    echo "$tool: ${s} s${note}; $(awk -v a="$s" -v b="$lint_s" 'BEGIN {printf "%.1f", a / b}')x kubectl-infer lint's time"
  done
elif [ "${BENCH_OTHERS:-yes}" = no ]; then
  echo "kubernetes-validate, checkov: skipped (BENCH_OTHERS=no)"
else
  echo "kubernetes-validate, checkov: python3 -m venv is unavailable; skipped"
fi
