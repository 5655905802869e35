#!/usr/bin/env bash
# Runs the workflow benchmark (bench/CreditFlows.Bench, results in BENCHMARKS.md): starts a private, in-memory
# Azurite on free ports, runs the benchmark in Release against it, and stops Azurite however the run ends.
# Arguments go to the benchmark, e.g. --apps 400 --concurrency 50, or `npl ...`, `reports ...`, `--documents ...`,
# `lag` (the orchestration lag phases alone), `startup` (the app's starts to its first orchestration step alone)
# (see bench/CreditFlows.Bench/Program.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
dotnet build bench/CreditFlows.Bench -c Release --nologo -v quiet

start_memory_azurite
export CREDITFLOWS_BENCH_STORAGE=$azurite_storage CREDITFLOWS_BENCH_AZURITE_PID=$azurite_pid
dotnet run -c Release --no-build --project bench/CreditFlows.Bench -- "$@"
