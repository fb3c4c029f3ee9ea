#!/usr/bin/env bash
# Installs whatever Marginalia's build and tests need and is missing, then
# puts the project's tools first on PATH. Idempotent: with everything in
# place it only checks versions (about a second).
#
#   source scripts/setup.sh          # build tools (serve, build)
#   source scripts/setup.sh --test   # also Chromium and ChromeDriver
#
# Needs: rustup, Node.js with npm, and apt (Debian) for --test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
want_test=0
for arg in "$@"; do [ "$arg" = "--test" ] && want_test=1; done

say() { printf '[setup] %s\n' "$*" >&2; }

export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown >&2
fi

# 1b. rustfmt and clippy, for the gates in scripts/test.
for c in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    say "adding the $c component"
    rustup component add "$c" >&2
  fi
done

# 2. Trunk, pinned (0.22 needs a newer rustc).
if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked >&2
fi

# 3. wasm-bindgen-cli, equal to the wasm-bindgen in Cargo.lock. Not --locked:
#    one of its locked dependencies is no longer in the registry.
WBG_VERSION="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$ROOT/Cargo.lock")"
if [ -z "$WBG_VERSION" ]; then say "no wasm-bindgen in Cargo.lock"; exit 1; fi
if ! grep -q "wasm_bindgen = \"$WBG_VERSION\"" "$ROOT/Trunk.toml"; then
  say "Trunk.toml [tools] wasm_bindgen must be $WBG_VERSION, as in Cargo.lock"; exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (a few minutes, once)"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force >&2
fi

# 4. npm tools: wasm-opt from binaryen, playwright-core (never its browser
#    download) and axe-core (accessibility checks in the e2e suite).
lock_sum="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$ROOT/node_modules/.marginalia-lock" 2>/dev/null || true)" != "$lock_sum" ]; then
  say "installing npm tools (binaryen $BINARYEN_VERSION, playwright-core, axe-core)"
  (cd "$ROOT" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --omit=optional --no-audit --no-fund >&2)
  echo "$lock_sum" > "$ROOT/node_modules/.marginalia-lock"
fi
case "$(wasm-opt --version 2>/dev/null || true)" in
  *"version $BINARYEN_VERSION"*) ;;
  *) say "wasm-opt on PATH is not binaryen $BINARYEN_VERSION: $(command -v wasm-opt || echo none)"; exit 1 ;;
esac

# 5. For tests: Debian's Chromium and ChromeDriver.
if [ "$want_test" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver >&2
fi
