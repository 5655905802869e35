#!/usr/bin/env bash
# Regenerates the HTTP [Function] wrappers (functions/CreditFlows.Functions/Functions/Http/*.cs) from the app's route
# table, after a route is added, removed or renamed. The Worker SDK needs literal attributes, so the wrappers are
# committed source; HttpFunctionSourceTests fails when they and the route table differ.
set -euo pipefail
cd "$(dirname "$0")/.."
CREDITFLOWS_WRITE_HTTP_FUNCTIONS=1 ./scripts/test.sh --filter "FullyQualifiedName~HttpFunctionSourceTests"
dotnet build functions/CreditFlows.Functions --nologo -v quiet
