#!/usr/bin/env bash
# Builds the web app (frontend/) into frontend/dist with Trunk, release mode:
# [profile.wasm-release] + wasm-opt -Oz, then brotli and gzip copies of each
# asset (scripts/precompress.js). Incremental: a rerun with no changes
# only re-links. Extra arguments go to `trunk build` (e.g. --public-url /app/).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

"$repo/scripts/setup-tools.sh"

export PATH="$repo/.tools/node/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Trunk runs cargo with --offline (Trunk.toml: offline = true), so download
# the dependencies first. Also creates/updates Cargo.lock if needed.
cargo fetch

# wasm-bindgen's CLI must equal the library in Cargo.lock, or trunk (offline)
# fails with a less helpful message.
cli="$(wasm-bindgen --version | awk '{print $2}')"
lock="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)"
if [[ "$cli" != "$lock" ]]; then
    echo "Cargo.lock has wasm-bindgen $lock but the CLI is $cli; keep frontend/Cargo.toml's \"=$cli\" pin" >&2
    exit 1
fi

trunk build --release "$@"
# A brotli and a gzip copy of every asset, served as they are (see
# crates/server/src/routes/spa.rs): a first visit downloads a third.
node "$repo/scripts/precompress.js" "$repo/frontend/dist"
echo "web app built: $repo/frontend/dist"
