#!/usr/bin/env bash
# The migrations of both backends, on a throwaway SQLite file and a
# throwaway PostgreSQL database:
# - every migration's down.sql undoes its up.sql: all run, then each is
#   reverted and run again, newest first (`diesel migration redo --all`);
# - the hand-written schema (crates/storage/src/schema.rs) is what they
#   build: `diesel print-schema` of the result, compared by
#   scripts/check-schema.py.
# Needs diesel_cli (scripts/setup-tools.sh --checks), python3, and the
# PostgreSQL of THEMECHAT_TEST_PG_URL; an unreachable one fails.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
pg_base="${THEMECHAT_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"

work="$(mktemp -d)"
database="themechat_migrations_$$"
cleanup() {
    rm -rf "$work"
    psql "$pg_base" -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# diesel looks for a diesel.toml from where it runs: none here, so it only
# migrates (the schema is written by hand, see crates/storage/src/schema.rs).
cd "$work"

# check BACKEND URL
check() {
    local dir="$repo/migrations/$1" url="$2"
    local count
    count="$(find "$dir" -mindepth 1 -maxdepth 1 -type d | wc -l)"
    diesel migration run --migration-dir "$dir" --database-url "$url" >/dev/null
    diesel migration redo --all --migration-dir "$dir" --database-url "$url" >/dev/null
    echo "$1: $count migrations run, reverted and run again"
    diesel print-schema --database-url "$url" >"$work/$1-schema.rs"
    python3 "$repo/scripts/check-schema.py" "$1" "$work/$1-schema.rs"
}

check sqlite "$work/migrations.db"
psql "$pg_base" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $database"
check postgres "${pg_base%/*}/$database"
