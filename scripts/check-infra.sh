#!/usr/bin/env bash
# Checks infra/ without touching Azure: builds and lints every Bicep file and the example parameters with the
# pinned Bicep CLI (warnings fail), compares the predicted deployment with the committed snapshot
# (infra/main.example.snapshot.json), and checks the prediction against the app and the README's promises
# (scripts/check-infra.mjs).
#
# The Bicep CLI comes from the NuGet package Azure.Bicep.CommandLine.linux-x64, checked against a pinned
# SHA-512 and cached in .tools/ (git-ignored). BICEP=/path/to/bicep skips the download.
#
#   ./scripts/check-infra.sh                 # check
#   ./scripts/check-infra.sh --update-snapshot   # after an intended change to the Bicep: rewrite the snapshot
set -euo pipefail
cd "$(dirname "$0")/.."

version=0.49.2
package=azure.bicep.commandline.linux-x64
sha512=9019d7d221bdc1dfcf59d093c057d4be6e897a69fee4beec63b6fb1d08b993e2cbc1d166adbc38cb94532c5c5ec0214c741a944e188e20b31aeec8339253c401
feed=${NUGET_FLAT_CONTAINER:-https://api.nuget.org/v3-flatcontainer}

# The snapshot is predicted for this fixed, made-up context so that it is the same on every machine.
snapshot_context=(--subscription-id 00000000-0000-0000-0000-000000000001 --resource-group rg-creditflows-prod
  --location eastasia --tenant-id 00000000-0000-0000-0000-000000000002 --deployment-name creditflows)

mode=Validate
case "${1:-}" in
  "") ;;
  --update-snapshot) mode=Overwrite ;;
  *) echo "usage: $0 [--update-snapshot]" >&2; exit 2 ;;
esac

bicep_cli() {
  if [[ -n "${BICEP:-}" ]]; then
    echo "$BICEP"
    return
  fi
  local dir=.tools/bicep/$version
  if [[ ! -x $dir/bicep ]]; then
    command -v curl >/dev/null && command -v unzip >/dev/null || { echo "check-infra: needs curl and unzip" >&2; exit 1; }
    local tmp
    tmp=$(mktemp -d)
    echo "check-infra: downloading $package $version" >&2
    curl -fsSL --retry 3 -o "$tmp/pkg.nupkg" "$feed/$package/$version/$package.$version.nupkg"
    echo "$sha512  $tmp/pkg.nupkg" | sha512sum -c --quiet - >&2 || { echo "check-infra: $package $version does not match the pinned SHA-512" >&2; rm -rf "$tmp"; exit 1; }
    unzip -q -o "$tmp/pkg.nupkg" tools/bicep -d "$tmp"
    chmod +x "$tmp/tools/bicep"
    mkdir -p "$dir"
    mv "$tmp/tools/bicep" "$dir/bicep"
    rm -rf "$tmp"
  fi
  echo "$dir/bicep"
}

bicep=$(bicep_cli)
"$bicep" --version

failed=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs a Bicep command; any error, warning or non-zero exit fails the check.
step() {
  local name=$1
  shift
  local log=$out/log
  if ! "$bicep" "$@" >"$log" 2>&1; then
    cat "$log"
    echo "FAIL $name"
    failed=1
  elif grep -Eq ': (Warning|Error) ' "$log"; then
    cat "$log"
    echo "FAIL $name (warnings count as failures)"
    failed=1
  else
    echo "ok   $name"
  fi
}

step "build infra/**/*.bicep" build --pattern 'infra/**/*.bicep' --outdir "$out/arm"
step "lint infra/**/*.bicep" lint --pattern 'infra/**/*.bicep'
step "build-params infra/main.example.bicepparam" build-params infra/main.example.bicepparam --outfile "$out/params.json"
step "snapshot ($mode) infra/main.example.snapshot.json" snapshot infra/main.example.bicepparam --mode "$mode" "${snapshot_context[@]}"

# The promises are checked on a fresh prediction, whatever the committed snapshot says.
cp -r infra "$out/infra"
rm -f "$out/infra/main.example.snapshot.json"
step "predict the deployment" snapshot "$out/infra/main.example.bicepparam" --mode Overwrite "${snapshot_context[@]}"
if [[ ! -f $out/infra/main.example.snapshot.json ]]; then
  echo "FAIL predicted resources: no prediction"
  failed=1
elif node scripts/check-infra.mjs "$out/infra/main.example.snapshot.json"; then
  echo "ok   predicted resources agree with the app"
else
  echo "FAIL predicted resources"
  failed=1
fi

if [[ $failed -ne 0 ]]; then
  echo "check-infra: FAILED"
  exit 1
fi
echo "check-infra: all checks passed"
