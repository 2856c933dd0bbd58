#!/usr/bin/env bash
# Property-based checks of the REST API from its own OpenAPI document, with
# schemathesis (PyPI): generated requests for every operation, as a signed-in
# user, with every check schemathesis has (scripts/api-check.toml says which
# operations skip one, and why): no 5xx, every status and body documented,
# schema-valid requests accepted and invalid ones refused, 405 with `Allow`
# for undeclared methods, 401 without a token. Bounded (a fixed seed and a few examples
# per operation) so that CI stays quick and repeatable; run it with
# SCHEMATHESIS_SEED unset to explore further.
#
#   scripts/api-check.sh SERVER_BINARY sqlite|postgres
#
# Installs schemathesis into .tools/schemathesis the first time.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

SCHEMATHESIS_VERSION=4.32.5
bin="${1:?usage: scripts/api-check.sh SERVER_BINARY sqlite|postgres}"
backend="${2:?usage: scripts/api-check.sh SERVER_BINARY sqlite|postgres}"
seed="${SCHEMATHESIS_SEED-20261202}"

venv="$repo/.tools/schemathesis"
st="$venv/bin/st"
if [[ "$("$st" --version 2>/dev/null || true)" != *"$SCHEMATHESIS_VERSION"* ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
data="$(mktemp -d)"
schema=""
server=""
cleanup() {
    [[ -n "$server" ]] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [[ -n "$schema" ]] && psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

env=(THEMECHAT_BIND="127.0.0.1:$port" THEMECHAT_DATA_DIR="$data" RUST_LOG=warn
     THEMECHAT_AUTH_ATTEMPTS_PER_ADDRESS=1000000 THEMECHAT_RATE_LIMIT_MESSAGES=1000000
     THEMECHAT_RATE_LIMIT_EDITS=1000000 THEMECHAT_RATE_LIMIT_UPLOADS=1000000
     THEMECHAT_LONG_POLL_MAX_SECS=2)
case "$backend" in
    sqlite) ;;
    postgres)
        schema="apicheck_$(python3 -c 'import uuid; print(uuid.uuid4().hex)')"
        psql -q -h 127.0.0.1 -U postgres test -c "CREATE SCHEMA $schema" >/dev/null
        env+=(DATABASE_URL="postgres://postgres@127.0.0.1:5432/test?options=-csearch_path%3D$schema")
        ;;
    *) echo "api-check.sh: backend must be sqlite or postgres, not $backend" >&2; exit 2 ;;
esac

env "${env[@]}" "$bin" >"$data/server.log" 2>&1 &
server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 100); do
    curl -fs "$base/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fs "$base/healthz" >/dev/null || { cat "$data/server.log" >&2; echo "the server did not start" >&2; exit 1; }

export APICHECK_USERNAME=apicheck APICHECK_PASSWORD=api-check-password
curl -fs -X POST "$base/api/v1/auth/register" -H 'content-type: application/json' \
    -d "{\"username\": \"$APICHECK_USERNAME\", \"password\": \"$APICHECK_PASSWORD\"}" >/dev/null

seed_args=()
[[ -n "$seed" ]] && seed_args=(--seed "$seed" --generation-deterministic)
"$st" --config-file "$repo/scripts/api-check.toml" run "$base/api/v1/openapi.json" --url "$base" \
    --max-examples 10 --request-timeout 10 "${seed_args[@]}" \
    || { echo "--- server log ---" >&2; tail -n 50 "$data/server.log" >&2; exit 1; }
