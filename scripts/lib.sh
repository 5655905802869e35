# Shared by the scripts in this folder: Azurite from the lock file, free ports, waiting for a port.
# shellcheck shell=bash

AZURITE_ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

# Installs the pinned dev tools (Azurite) when node_modules is missing or older than the lock file.
ensure_node_modules() {
  command -v npm >/dev/null || { echo "npm is required (Node 20+): https://nodejs.org" >&2; exit 1; }
  if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing Azurite from package-lock.json (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

# The weekly report's chart needs a font with Chinese glyphs (see ARCHITECTURE.md, Weekly NPL report). Installs
# Debian's fonts-wqy-microhei when no such font is present and apt-get can run (root); otherwise only warns.
ensure_cjk_font() {
  [ -n "${Reports__ChartFontFile:-}" ] && return 0
  local font
  for font in /usr/share/fonts/truetype/wqy/wqy-microhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc; do
    [ -f "$font" ] && return 0
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing a CJK font for the report charts (apt-get install fonts-wqy-microhei)..."
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1 \
      || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null 2>&1; }; } \
      || echo "Could not install fonts-wqy-microhei: chart labels in Chinese will render as boxes." >&2
  else
    echo "No CJK font found: install fonts-wqy-microhei or set Reports__ChartFontFile, or Chinese chart labels render as boxes." >&2
  fi
}

# Prints N free TCP ports on loopback.
free_ports() {
  node -e '
    const net = require("net"); let left = +process.argv[1]; const ports = [];
    (function next() {
      if (left-- === 0) { console.log(ports.join(" ")); return; }
      const s = net.createServer(); s.listen(0, "127.0.0.1", () => { ports.push(s.address().port); s.close(next); });
    })();' "$1"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Waits up to 60 s for every port given.
wait_for_ports() {
  local port tries
  for port in "$@"; do
    tries=0
    until port_open "$port"; do
      tries=$((tries + 1))
      if [ "$tries" -gt 600 ]; then echo "Azurite did not open port $port within 60 s" >&2; return 1; fi
      sleep 0.1
    done
  done
}

# The connection string of an Azurite listening on the given blob, queue and table ports.
azurite_connection_string() {
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=http://127.0.0.1:$1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$2/devstoreaccount1;TableEndpoint=http://127.0.0.1:$3/devstoreaccount1;"
}

# Starts a private, in-memory Azurite on free ports, stopped however the calling script ends. Sets
# azurite_pid and azurite_storage (the connection string).
start_memory_azurite() {
  local blob queue table
  read -r blob queue table < <(free_ports 3)
  node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck --disableTelemetry --silent \
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table" > /dev/null 2>&1 &
  azurite_pid=$!
  trap 'kill "$azurite_pid" 2>/dev/null || true; wait "$azurite_pid" 2>/dev/null || true' EXIT
  trap 'exit 130' INT TERM
  wait_for_ports "$blob" "$queue" "$table"
  azurite_storage=$(azurite_connection_string "$blob" "$queue" "$table")
  echo "Azurite (in memory) on blob $blob, queue $queue, table $table"
}
