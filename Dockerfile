# ThemeChat: server + web app in one image.
#
#   docker build -t themechat .        (or: docker compose up --build)
#
# The builder is pinned to bookworm so the binary's glibc/libpq match the
# debian:bookworm-slim runtime (plain rust:1.95 follows Debian's newest release).

FROM rust:1.95-bookworm AS builder
WORKDIR /src
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm libpq-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*

# Build tools first, in their own layers, so source changes do not reinstall
# them (trunk takes ~12 min, wasm-bindgen-cli ~6 min on 2 cores).
# setup-tools.sh: wasm32 target, trunk 0.21.14, wasm-bindgen 0.2.130,
# npm binaryen@132 into /src/.tools/node.
COPY rust-toolchain.toml ./
COPY scripts/setup-tools.sh scripts/
RUN scripts/setup-tools.sh

COPY . .
# SPA -> frontend/dist (cargo fetch + trunk build --release, wasm-opt -Oz)
RUN scripts/build-web.sh
RUN cargo build --release --locked -p server --bin themechat-server \
 && cp target/release/themechat-server /usr/local/bin/themechat-server

FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libsqlite3-0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin themechat \
 && mkdir -p /data /app/web \
 && chown themechat:themechat /data
COPY --from=builder /usr/local/bin/themechat-server /usr/local/bin/themechat-server
COPY --from=builder /src/frontend/dist /app/web
ENV THEMECHAT_BIND=0.0.0.0:8080 \
    THEMECHAT_WEB_DIR=/app/web \
    THEMECHAT_DATA_DIR=/data
USER themechat
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz >/dev/null || exit 1
CMD ["themechat-server"]
