#!/usr/bin/env bash
# Runs CreditFlows locally: Azurite (data kept in .azurite/), local.settings.json on first run, a build,
# demo data seeded once, the app on http://localhost:7071 with the embedded trigger runner.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
root=$(pwd)

ensure_node_modules
ensure_cjk_font

if [ ! -f local.settings.json ]; then
  key=$(node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))')
  sed "s/\"Identity__DevTokenSigningKey\": \"\"/\"Identity__DevTokenSigningKey\": \"$key\"/" local.settings.sample.json > local.settings.json
  echo "Created local.settings.json from local.settings.sample.json (git-ignored; edit it freely)."
fi

azurite_pid=""
if port_open 10000 && port_open 10001 && port_open 10002; then
  echo "Ports 10000-10002 are open already: using the Azurite (or storage emulator) running there."
else
  mkdir -p .azurite
  node_modules/.bin/azurite --location .azurite --skipApiVersionCheck --disableTelemetry --silent \
    > .azurite/azurite.out 2>&1 &
  azurite_pid=$!
  wait_for_ports 10000 10001 10002
  echo "Azurite started (data in .azurite/)."
fi
trap '[ -n "$azurite_pid" ] && kill "$azurite_pid" 2>/dev/null; true' EXIT
trap 'exit 130' INT TERM

dotnet build functions/CreditFlows.Functions --nologo -v quiet -clp:NoSummary

cat <<MSG

CreditFlows is starting on http://localhost:7071
  API explorer   http://localhost:7071/api/docs
  Health         http://localhost:7071/api/health
  Demo tokens    http://localhost:7071/dev/tokens   (also printed below)
  Run a timer    curl -X POST http://localhost:7071/admin/functions/Heartbeat -H 'Content-Type: application/json' -d '{}'
Stop with Ctrl+C.

MSG
# Started from its build output, without the Functions host's switches: the embedded default. (Not `dotnet run`: the
# Worker SDK points that at Core Tools' `func start`, which cannot be installed here.)
cd functions/CreditFlows.Functions/bin/Debug/net10.0
CREDITFLOWS_LOCAL_SETTINGS="$root/local.settings.json" dotnet CreditFlows.Functions.dll
