#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the test suites need are answering on
# 127.0.0.1 (starting the machine's own services if they are installed but
# stopped). Fails loudly otherwise: tests never skip a backend silently.
set -euo pipefail

pg_ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_ready() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_ready && command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in $(seq 20); do pg_ready && break; sleep 0.5; done
fi
if ! redis_ready && command -v redis-server >/dev/null; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
    for _ in $(seq 20); do redis_ready && break; sleep 0.5; done
fi

pg_ready || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
redis_ready || { echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }
echo "PostgreSQL and Redis: ready"
