#!/usr/bin/env bash
# Figures for the decision engine: the time `decide` takes for 1,000 realistic
# ScaledObjects (two triggers, behavior, history, KEDA fallback) and the time `simulate`
# takes to replay one day of 15 s samples. Release build; prints, asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --lib engine::tests::bench -- --ignored --nocapture 2>&1 \
    | grep -E '^(decide|simulate):'
