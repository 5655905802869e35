#!/usr/bin/env bash
# Produces artifacts/app: the folder the Azure Functions host runs as it is — host.json, one folder per
# function (function.json), and the self-contained CreditFlows.Functions executable for Linux x64.
# Deploy it as a zip (see README.md and infra/README.md), or run `func start` inside it where Core Tools are
# installed.
#
#   ./scripts/publish.sh [--zip] [out-folder]
#
# --zip also writes <out-folder>.zip (artifacts/app.zip), zipped here so that the executable keeps its
# execute bit, which the Linux function app needs to start the custom handler.
set -euo pipefail
cd "$(dirname "$0")/.."
zip=false
if [[ "${1:-}" == "--zip" ]]; then
  zip=true
  shift
fi
out=${1:-artifacts/app}
rm -rf "$out"
dotnet publish functions/CreditFlows.Functions -c Release -r linux-x64 --self-contained -o "$out" --nologo -v quiet
# The weekly report's charts need a font with Chinese glyphs, and the function app's image has none: ship the
# one the scripts install (WenQuanYi Micro Hei, Apache-2.0 or GPL-3 with font exception) in fonts/, where
# ChartFont looks beside the executable, unless Reports__ChartFontFile names one already.
cjk=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [[ -f "$cjk" ]]; then
  mkdir -p "$out/fonts"
  cp "$cjk" "$out/fonts/"
  [[ -f /usr/share/doc/fonts-wqy-microhei/copyright ]] && cp /usr/share/doc/fonts-wqy-microhei/copyright "$out/fonts/wqy-microhei.copyright"
else
  echo "publish: no CJK font at $cjk (apt-get install fonts-wqy-microhei): Chinese chart labels will be boxes unless Reports__ChartFontFile is set" >&2
fi
echo "Function app folder ready: $out"
if $zip; then
  command -v zip >/dev/null || { echo "publish: --zip needs the zip command" >&2; exit 1; }
  [[ -x "$out/CreditFlows.Functions" ]] || { echo "publish: $out/CreditFlows.Functions is not executable" >&2; exit 1; }
  archive=$(cd "$(dirname "$out")" && pwd)/$(basename "$out").zip
  rm -f "$archive"
  (cd "$out" && zip -qr "$archive" .)
  echo "Zip ready: $archive"
fi
