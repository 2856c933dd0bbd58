#!/usr/bin/env bash
# The layers are crates, and Cargo holds the arrows (docs/ARCHITECTURE.md):
#
#   protocol  serde types only: no Diesel, no actix (and it builds for wasm32)
#   storage   Diesel and the pool: no actix, no HTTP, nothing above it
#   domain    the rules: no actix, no HTTP, and no Diesel of its own (it
#             reaches storage only through storage's functions)
#   server    routes, the socket gateway, delivery, workers: it reaches
#             storage only through the domain (no storage, no Diesel)
#
# This reads each crate's resolved dependency tree (`cargo tree -e normal`),
# so a dependency that comes in through another is caught too. Inside each
# crate, the import circles and the web app's layers are the architecture
# test's (tests/architecture).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

found=0
# forbid CRATE DEPTH PATTERN WHY: CRATE's dependencies (to DEPTH levels, or
# all) may not match PATTERN.
forbid() {
    local crate=$1 depth=$2 pattern=$3 why=$4
    local args=(-p "$crate" -e normal --prefix none --quiet)
    [ "$depth" != all ] && args+=(--depth "$depth")
    local hits
    hits=$(cargo tree "${args[@]}" | grep -v "^$crate v" | grep -E "^($pattern) v" | sort -u || true)
    if [ -n "$hits" ]; then
        echo "== $crate: $why"
        echo "$hits"
        found=$((found + 1))
    fi
}

web='actix[a-z-]*|http|hyper|hyper-[a-z]+|tungstenite|tokio-tungstenite'
forbid protocol all 'diesel[a-z_-]*|actix[a-z-]*' "protocol stays serde-only"
forbid storage all "$web" "storage knows no HTTP"
forbid storage 1 'domain|server' "storage knows nothing above it"
forbid domain all "$web" "the rules know no HTTP"
forbid domain 1 'diesel[a-z_-]*|server' "the rules write no SQL (storage does) and know no transport"
forbid server 1 'storage|diesel[a-z_-]*' "the server reaches storage only through the domain"

if [ "$found" -eq 0 ]; then
    echo "the crates' dependencies point down"
fi
[ "$found" -eq 0 ]
