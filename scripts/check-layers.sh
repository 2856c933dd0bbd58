#!/usr/bin/env bash
# The house's layers point down only (docs/ARCHITECTURE.md). This reads every
# path the code names (`use` lines and inline `crate::…` paths, comments
# left out) and fails on any that points up or sideways:
#
#   server:  routes, realtime (the transports) -> domain -> db (and files)
#            protocol is below them all and stays serde-only (checked in .ci/run)
#   web app: session -> http -> auth -> api -> ws -> chat state -> views
#
# Run from anywhere: scripts/check-layers.sh   (exit 0 when the house is clean)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
s=crates/server/src
f=frontend/src
found=0

# rule NAME PATTERN FILES...: every line of FILES matching PATTERN (outside
# comments) is a violation.
rule() {
    local name=$1 pattern=$2
    shift 2
    local hits
    hits=$(grep -rnE "$pattern" "$@" 2>/dev/null | grep -vE '^[^:]+:[0-9]+:\s*//' || true)
    if [ -n "$hits" ]; then
        echo "== $name"
        echo "$hits"
        found=$((found + $(printf '%s\n' "$hits" | wc -l)))
    fi
}

# Storage knows nothing above it, nor HTTP.
rule "db sees a layer above it" 'actix|crate::(routes|realtime|domain|auth|state|startup)\b' $s/db
# The file store (uploaded bytes) sits beside storage: it knows no layer
# above it, no HTTP, and no rows.
rule "files sees a layer above it" 'actix|crate::(routes|realtime|domain|auth|state|startup|db)\b' $s/files
# The rules know nothing of transports, HTTP or how events travel.
rule "domain sees a transport or HTTP" 'actix|crate::(routes|realtime|auth|state|startup)\b' $s/domain
rule "domain sees Diesel (it goes through db)" '\bdiesel::' $s/domain
# Transports call the domain; they write no queries and read no rows.
rule "a transport reads storage directly" 'crate::db::(queries|models|schema)|\bdiesel::' $s/routes $s/realtime $s/auth
rule "realtime sees routes" 'crate::routes\b' $s/realtime
rule "routes see the socket internals" 'crate::realtime::(hub|gateway)' $s/routes/users.rs $s/routes/rooms.rs $s/routes/messages.rs $s/routes/social.rs
# The web app: session -> http -> auth -> api -> ws -> chat state -> views.
views='components|pages'
rule "web session sees a layer above it" "crate::(http|auth|api|ws|chat|state|$views)\\b" $f/session.rs
rule "web http sees a layer above it" "crate::(session|auth|api|ws|chat|state|$views)\\b" $f/http.rs
rule "web auth sees a layer above it" "crate::(api|ws|chat|state|$views)\\b" $f/auth.rs
rule "web api sees a layer above it" "crate::(ws|chat|state|$views)\\b" $f/api.rs
rule "web ws sees a layer above it" "crate::(api|chat|state|$views)\\b" $f/ws.rs
rule "web state sees views" "crate::($views)\\b" $f/chat $f/state $f/read_pacer.rs

echo "layer violations: $found"
[ "$found" -eq 0 ]
