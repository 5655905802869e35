#!/usr/bin/env bash
# Runs the workflow benchmark (bench/CreditFlows.Bench, results in BENCHMARKS.md): starts a private, in-memory
# Azurite on free ports, runs the benchmark in Release against it, and stops Azurite however the run ends.
# Arguments go to the benchmark, e.g. --apps 400 --concurrency 50 (see bench/CreditFlows.Bench/Program.cs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
dotnet build bench/CreditFlows.Bench -c Release --nologo -v quiet

read -r blob queue table < <(free_ports 3)
node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" > /dev/null 2>&1 &
azurite_pid=$!
trap 'kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait_for_ports "$blob" "$queue" "$table"
echo "Azurite $(node_modules/.bin/azurite --version) (in memory) on blob $blob, queue $queue, table $table"

export CREDITFLOWS_BENCH_STORAGE CREDITFLOWS_BENCH_AZURITE_PID=$azurite_pid
CREDITFLOWS_BENCH_STORAGE=$(azurite_connection_string "$blob" "$queue" "$table")
dotnet run -c Release --no-build --project bench/CreditFlows.Bench -- "$@"
