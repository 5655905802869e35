#!/usr/bin/env bash
# Produces artifacts/app: the folder the Azure Functions host runs as it is — host.json, one folder per
# function (function.json), and the self-contained CreditFlows.Functions executable for Linux x64.
# Deploy it as a zip (see README.md), or run `func start` inside it where Core Tools are installed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/app}
rm -rf "$out"
dotnet publish functions/CreditFlows.Functions -c Release -r linux-x64 --self-contained -o "$out" --nologo -v quiet
echo "Function app folder ready: $out"
