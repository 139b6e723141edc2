#!/usr/bin/env bash
# Whole-process time of one `kubectl-infer generate` call (the plugin should feel instant: goal
# under 10 ms median). Builds the release binary once, then runs generate N times (default 200)
# with hyperfine when it is installed (Debian package `hyperfine`), else a loop timed with
# `date +%s%N`. Prints the median against the goal; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
cargo build --release --quiet --bin kubectl-infer
bin=target/release/kubectl-infer
args=(generate --name llama -n serving --server vllm --model meta-llama/Llama-3.1-8B-Instruct
      --min 1 --max 8 --cold-start 2m --queue team-a --gpu-quota 8
      --gpu-product NVIDIA-H100-80GB-HBM3 --with-deployment)
"$bin" "${args[@]}" >/dev/null   # warm the page cache

if command -v hyperfine >/dev/null 2>&1; then
  export_file="$(mktemp)"
  hyperfine --warmup 10 --runs "$runs" --shell=none --export-json "$export_file" \
    "$bin ${args[*]}" >/dev/null
  median_ms="$(python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"]*1000))' "$export_file")"
  rm -f "$export_file"
  tool=hyperfine
else
  times=()
  for _ in $(seq "$runs"); do
    start=$(date +%s%N)
    "$bin" "${args[@]}" >/dev/null
    end=$(date +%s%N)
    times+=($(( end - start )))
  done
  median_ns="$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  median_ms="$(awk -v ns="$median_ns" 'BEGIN {printf "%.2f", ns / 1e6}')"
  tool="date +%s%N loop"
fi

verdict="$(awk -v m="$median_ms" 'BEGIN {print (m < 10) ? "meets" : "misses"}')"
echo "generate: median ${median_ms} ms over ${runs} runs (${tool}); goal < 10 ms: ${verdict}"
