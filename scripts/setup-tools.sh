#!/usr/bin/env bash
# Installs the tools that build the ThemeChat web app. Idempotent: a tool that
# is already there in the right version is left alone, so a second run takes
# about a second.
#
#   scripts/setup-tools.sh             # wasm32 target, trunk, wasm-bindgen, wasm-opt
#   scripts/setup-tools.sh --browser   # ... plus chromium + chromedriver (apt) for browser tests
#   scripts/setup-tools.sh --s3        # ... plus moto's S3-compatible server (PyPI) for the cluster tests
#   scripts/setup-tools.sh --checks    # ... plus cargo-deny, cargo-machete, typos and diesel_cli for CI's checks
#
# Versions (keep in sync with Trunk.toml [tools] and frontend/Cargo.toml):
#   trunk 0.21.14          0.22.x needs rustc >= 1.96.1
#   wasm-bindgen 0.2.130   must equal the wasm-bindgen in Cargo.lock
#   binaryen 132 (npm)     into .tools/node; Debian's binaryen 108 breaks the app at runtime
#   axe-core 4.14.1 (npm)  into .tools/node, with --browser: the accessibility checks
#   cargo-deny 0.20.2, cargo-machete 0.9.2, typos-cli 1.52.0, diesel_cli 2.3.14   with --checks
set -euo pipefail

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132
AXE_VERSION=4.14.1
MOTO_VERSION=5.2.5
DENY_VERSION=0.20.2
MACHETE_VERSION=0.9.2
TYPOS_VERSION=1.52.0
DIESEL_CLI_VERSION=2.3.14

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo" # so rustup honours rust-toolchain.toml

browser=0
s3=0
checks=0
for arg in "$@"; do
    case "$arg" in
        --browser) browser=1 ;;
        --s3) s3=1 ;;
        --checks) checks=1 ;;
        -h | --help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup-tools.sh: unknown argument: $arg (try --help)" >&2; exit 2 ;;
    esac
done

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Prints the tool's version line, or nothing when it is missing or broken.
version_of() { "$@" 2>/dev/null | head -n1 || true; }

# wasm32 target for the toolchain pinned by rust-toolchain.toml
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "rust target wasm32-unknown-unknown: present"
else
    rustup target add wasm32-unknown-unknown
    echo "rust target wasm32-unknown-unknown: installed"
fi

# trunk
if [[ "$(version_of trunk --version)" == "trunk $TRUNK_VERSION" ]]; then
    echo "trunk $TRUNK_VERSION: present"
else
    cargo install trunk --version "$TRUNK_VERSION" --locked
    [[ "$(version_of trunk --version)" == "trunk $TRUNK_VERSION" ]] \
        || { echo "trunk on PATH is not $TRUNK_VERSION: $(command -v trunk)" >&2; exit 1; }
    echo "trunk $TRUNK_VERSION: installed"
fi

# wasm-bindgen CLI. No --locked: its lock pins a webpki-roots the registry lacks.
if [[ "$(version_of wasm-bindgen --version)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]]; then
    echo "wasm-bindgen $WASM_BINDGEN_VERSION: present"
else
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
    [[ "$(version_of wasm-bindgen --version)" == "wasm-bindgen $WASM_BINDGEN_VERSION" ]] \
        || { echo "wasm-bindgen on PATH is not $WASM_BINDGEN_VERSION: $(command -v wasm-bindgen)" >&2; exit 1; }
    echo "wasm-bindgen $WASM_BINDGEN_VERSION: installed"
fi

# wasm-opt from npm binaryen, private to the repo (.tools is gitignored)
node_dir="$repo/.tools/node"
wasm_opt="$node_dir/node_modules/.bin/wasm-opt"
if [[ "$(version_of "$wasm_opt" --version)" == *"version $BINARYEN_VERSION"* ]]; then
    echo "wasm-opt (npm binaryen@$BINARYEN_VERSION): present"
else
    command -v npm >/dev/null || { echo "npm is required for binaryen (apt-get install nodejs npm)" >&2; exit 1; }
    mkdir -p "$node_dir"
    [[ -f "$node_dir/package.json" ]] || echo '{ "private": true }' >"$node_dir/package.json"
    npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
    [[ "$(version_of "$wasm_opt" --version)" == *"version $BINARYEN_VERSION"* ]] \
        || { echo "$wasm_opt does not report version $BINARYEN_VERSION" >&2; exit 1; }
    echo "wasm-opt (npm binaryen@$BINARYEN_VERSION): installed"
fi

# chromium + chromedriver, and a colour emoji font (without one, the emoji
# picker and reactions draw empty boxes in screenshots), only on request
if ((browser)); then
    if [[ -x /usr/bin/chromium && -d /usr/share/fonts/truetype/noto ]] \
        && dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
        echo "chromium: present"
    else
        sudo=()
        [[ "$(id -u)" == 0 ]] || sudo=(sudo)
        "${sudo[@]}" apt-get update
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y chromium chromium-driver fonts-noto-color-emoji
        echo "chromium: installed"
    fi
fi

# axe-core (npm), which the browser tests inject to check accessibility,
# private to the repo, only on request
if ((browser)); then
    axe="$node_dir/node_modules/axe-core"
    if [[ -f "$axe/axe.min.js" ]] && grep -q "\"version\": \"$AXE_VERSION\"" "$axe/package.json"; then
        echo "axe-core $AXE_VERSION: present"
    else
        mkdir -p "$node_dir"
        [[ -f "$node_dir/package.json" ]] || echo '{ "private": true }' >"$node_dir/package.json"
        npm install --prefix "$node_dir" --no-audit --no-fund --loglevel=error "axe-core@$AXE_VERSION"
        echo "axe-core $AXE_VERSION: installed"
    fi
fi

# moto's S3-compatible server, private to the repo, only on request
if ((s3)); then
    moto_dir="$repo/.tools/moto"
    if [[ "$("$moto_dir/bin/python" -m pip show moto 2>/dev/null | sed -n 's/^Version: //p')" == "$MOTO_VERSION" ]]; then
        echo "moto $MOTO_VERSION: present"
    else
        python3 -m venv "$moto_dir"
        "$moto_dir/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
        echo "moto $MOTO_VERSION: installed"
    fi
fi

# What `BINARY --version` prints, on one line.
version_text() { "$1" --version 2>/dev/null | tr '\n' ' ' || true; }

# CI's checks of the dependency graph, the text and the migrations, only on
# request.
# cargo_tool CRATE VERSION BINARY [INSTALL FLAGS...]: installs CRATE@VERSION
# unless BINARY already reports VERSION.
cargo_tool() {
    local crate="$1" version="$2" binary="$3"
    shift 3
    # "name version", the version alone (cargo-machete), or over two lines
    # (diesel): the version is somewhere in what it prints.
    if [[ "$(version_text "$binary")" == *"$version"* ]]; then
        echo "$crate $version: present"
    else
        cargo install --locked "$crate" --version "$version" "$@"
        [[ "$(version_text "$binary")" == *"$version"* ]] \
            || { echo "$binary on PATH is not $version: $(command -v "$binary")" >&2; exit 1; }
        echo "$crate $version: installed"
    fi
}
if ((checks)); then
    cargo_tool cargo-deny "$DENY_VERSION" cargo-deny
    cargo_tool cargo-machete "$MACHETE_VERSION" cargo-machete
    cargo_tool typos-cli "$TYPOS_VERSION" typos
    # Against the system's libpq and libsqlite3 (the server links the same).
    cargo_tool diesel_cli "$DIESEL_CLI_VERSION" diesel --no-default-features --features postgres,sqlite
fi
