#!/usr/bin/env bash
# Publishes the function app (dotnet publish, Release) into a folder and zips it for a Flex Consumption
# deployment:
#
#   ./scripts/publish.sh [out-folder]          # artifacts/app and artifacts/app.zip
#   az functionapp deployment source config-zip -g "$RG" -n "$APP" --src artifacts/app.zip
#
# `azd deploy` (or `azd up`) does not need this script: it publishes the project and uploads the package itself.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-artifacts/app}
command -v zip >/dev/null || { echo "publish: needs the zip command" >&2; exit 1; }
rm -rf "$out"
# linux-x64, framework-dependent: Flex Consumption runs Linux x64 with the .NET runtime installed. Without the
# runtime identifier the package carries every platform's native libraries (SkiaSharp's alone are ~500 MB).
dotnet publish functions/CreditFlows.Functions -c Release -r linux-x64 --self-contained false -o "$out" --nologo -v quiet
# The weekly report's charts need a font with Chinese glyphs, and the Functions image has none: ship the one the
# scripts install (WenQuanYi Micro Hei, Apache-2.0 or GPL-3 with font exception) in fonts/, where ChartFont looks
# beside the app, unless Reports__ChartFontFile names one already.
cjk=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [[ -f "$cjk" ]]; then
  mkdir -p "$out/fonts"
  cp "$cjk" "$out/fonts/"
  if [[ -f /usr/share/doc/fonts-wqy-microhei/copyright ]]; then
    cp /usr/share/doc/fonts-wqy-microhei/copyright "$out/fonts/wqy-microhei.copyright"
  fi
else
  echo "publish: no CJK font at $cjk (apt-get install fonts-wqy-microhei): Chinese chart labels will be boxes unless Reports__ChartFontFile is set" >&2
fi
# The package root must be the publish folder itself (host.json at the top of the zip).
archive=$(cd "$(dirname "$out")" && pwd)/$(basename "$out").zip
rm -f "$archive"
(cd "$out" && zip -qr "$archive" .)
echo "Published $out; zip for deployment: $archive"
