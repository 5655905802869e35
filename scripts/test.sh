#!/usr/bin/env bash
# Runs every test: starts a private, in-memory Azurite on free ports, runs `dotnet test`, and stops
# Azurite however the tests end. Arguments go to `dotnet test` (e.g. --filter Name~Runner).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

ensure_node_modules
ensure_cjk_font
start_memory_azurite
export CREDITFLOWS_TEST_STORAGE=$azurite_storage
dotnet test CreditFlows.sln "$@"
