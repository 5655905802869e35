#!/usr/bin/env bash
# Post-deployment smoke test of a live CreditFlows function app. Read-mostly: it starts one Heartbeat
# orchestration, nothing else. Prints PASS or FAIL with the HTTP status for each step and stops at the first
# failure (exit 1). Usage and the environment it needs: ./scripts/smoke.sh --help
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/smoke.sh URL            e.g. scripts/smoke.sh https://func-creditflows-prod-abc123.azurewebsites.net

Steps (each prints PASS/FAIL and the status; the first failure ends the run with exit 1):
  1. GET  URL/api/health                                  200, JSON            (no token)
  2. GET  URL/api/me                                      200                  (SMOKE_TOKEN)
  3. POST URL/api/admin/functions/Heartbeat  body {}      202                  (SMOKE_ADMIN_TOKEN)
  4. GET  URL/runtime/webhooks/durabletask/instances      200, JSON array      (SMOKE_DURABLE_KEY, SMOKE_TOKEN)
  5. GET  URL/api/applications?pageSize=1                 200                  (SMOKE_TOKEN)

Environment:
  SMOKE_TOKEN        Entra access token for the app, of a user who has an app role and a branch:
                       az account get-access-token --resource api://<app id> --query accessToken -o tsv
                     (the Azure CLI must be allowed to ask for it: pre-authorize client 04b07795-8ddb-461a-bbee-02f9e1bf7b46
                     on the app registration's user_impersonation scope, or consent once.)
  SMOKE_ADMIN_TOKEN  The same for a user with the HqAdmin role (may be the same token).
  SMOKE_DURABLE_KEY  The Durable Functions system key:
                       az functionapp keys list -g <rg> -n <app> --query systemKeys.durabletask_extension -o tsv
                     App Service Authentication guards that path too, so step 4 also sends SMOKE_TOKEN.
  SMOKE_MAX_TIME     Seconds per request (default 60; the first request may meet a cold start).

Needs curl and jq. Tokens and the key are handed to curl through a config on a pipe, never on its command line.
EOF
}

case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") usage >&2; exit 2 ;;
esac
[[ $# -eq 1 ]] || { usage >&2; exit 2; }
base=${1%/}
[[ $base =~ ^https?:// ]] || { echo "smoke: URL must start with https:// (or http:// for a local run): $1" >&2; exit 2; }

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "smoke: needs $tool" >&2; exit 2; }
done
missing=()
for name in SMOKE_TOKEN SMOKE_ADMIN_TOKEN SMOKE_DURABLE_KEY; do
  [[ -n "${!name:-}" ]] || missing+=("$name")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "smoke: set ${missing[*]} (see --help)" >&2
  exit 2
fi
max_time=${SMOKE_MAX_TIME:-60}

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# request METHOD URL TOKEN JSON-BODY [extra curl options...]: prints the HTTP status (000 if no response); the
# response body goes to $body. TOKEN and JSON-BODY may be empty. The URL and the Authorization header travel in a
# curl config read from a pipe (-K), so neither the key in a query string nor a token shows in the process list.
request() {
  local method=$1 url=$2 token=$3 data=$4
  shift 4
  local config
  config=$(printf 'url = "%s"\n' "$url")
  [[ -n $token ]] && config+=$(printf '\nheader = "Authorization: Bearer %s"' "$token")
  local args=(-sS -X "$method" -o "$body" -w '%{http_code}' --max-time "$max_time" -K -)
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
  curl "${args[@]}" "$@" <<<"$config" || true
}

# step NAME EXPECTED-STATUS STATUS [CHECK-DESCRIPTION CHECK-COMMAND...]
step() {
  local name=$1 expected=$2 status=$3
  shift 3
  if [[ $status != "$expected" ]]; then
    echo "FAIL $name: HTTP $status, expected $expected"
    head -c 500 "$body" 2>/dev/null && echo
    exit 1
  fi
  if [[ $# -gt 0 ]]; then
    local what=$1
    shift
    if ! "$@" <"$body" >/dev/null 2>&1; then
      echo "FAIL $name: HTTP $status, but the body is not $what"
      head -c 500 "$body" && echo
      exit 1
    fi
  fi
  echo "PASS $name: HTTP $status"
}

# Cold start: the health probe retries what curl counts as transient (timeouts, 408, 429, 5xx) a few times.
step "GET /api/health" 200 "$(request GET "$base/api/health" "" "" --retry 3 --retry-delay 10)" \
  "JSON" jq -e .
step "GET /api/me" 200 "$(request GET "$base/api/me" "$SMOKE_TOKEN" "")"
step "POST /api/admin/functions/Heartbeat" 202 "$(request POST "$base/api/admin/functions/Heartbeat" "$SMOKE_ADMIN_TOKEN" '{}')"
step "GET /runtime/webhooks/durabletask/instances" 200 \
  "$(request GET "$base/runtime/webhooks/durabletask/instances?code=$(jq -rn --arg k "$SMOKE_DURABLE_KEY" '$k|@uri')" "$SMOKE_TOKEN" "")" \
  "a JSON array" jq -e 'type == "array"'
step "GET /api/applications?pageSize=1" 200 "$(request GET "$base/api/applications?pageSize=1" "$SMOKE_TOKEN" "")"
echo "smoke: all steps passed against $base"
