#!/usr/bin/env bash
# Fails when a crate depends on something its layer forbids (docs/ARCHITECTURE.md, "Crate graph"):
# domain <- store, domain <- rooms, store + rooms <- server; loadgen is a client (domain only).
set -euo pipefail
cd "$(dirname "$0")/.."

# $1 = package, $2 = forbidden-name regex, $3 = extra cargo-tree args
check() {
  # The first line of `cargo tree` is the package itself.
  local found
  found=$(cargo tree --locked -p "$1" -e normal --prefix none ${3:-} | tail -n +2 | grep -E "$2" | sort -u || true)
  if [ -n "$found" ]; then
    echo "layer violation in $1:"; echo "$found"; exit 1
  fi
}
check live-domain  '^(diesel|r2d2|libsqlite3-sys|actix|tokio|live-)'
check live-store   '^(actix|awc|live-rooms|live-server) '
check live-rooms   '^(diesel|r2d2|libsqlite3-sys|live-store|live-server) '
check live-server  '^(diesel|r2d2|libsqlite3-sys) ' '--depth 1'
check live-loadgen '^(diesel|r2d2|libsqlite3-sys|live-store|live-rooms|live-server) '
echo "layers ok"
