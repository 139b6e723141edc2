#!/usr/bin/env bash
# explain -A over 1,000 ScaledObjects (each with its HPA, Deployment and 8 pods) against the
# loopback fixture API server; prints the number of API requests (goal: constant, whatever the
# count) and the wall time of the command (goal: under 1 s). Release build.
#
#   bench/explain.sh            # 1,000 ScaledObjects
#   bench/explain.sh 10 100     # other counts, to compare the request numbers
set -euo pipefail
cd "$(dirname "$0")/.."
counts=("${@:-1000}")
for count in "${counts[@]}"; do
    EXPLAIN_BENCH_COUNT="$count" cargo test --release --locked --test it -- --ignored \
        --exact explain::bench::bench_explain_all_namespaces --nocapture 2>/dev/null \
        | grep -E '^(explain|  )'
done
