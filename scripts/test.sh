#!/usr/bin/env bash
# Runs every test: starts a private, in-memory Azurite on free ports, runs `dotnet test`, and stops
# Azurite however the tests end. Arguments go to `dotnet test` (e.g. --filter Name~Runner).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
read -r blob queue table < <(free_ports 3)
node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" > /dev/null 2>&1 &
azurite_pid=$!
trap 'kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
wait_for_ports "$blob" "$queue" "$table"
echo "Azurite (in memory) on blob $blob, queue $queue, table $table"

export CREDITFLOWS_TEST_STORAGE
CREDITFLOWS_TEST_STORAGE=$(azurite_connection_string "$blob" "$queue" "$table")
dotnet test CreditFlows.sln "$@"
