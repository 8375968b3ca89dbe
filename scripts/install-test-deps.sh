#!/usr/bin/env bash
# Installs what scripts/test.sh needs on a fresh Debian machine, and only what
# is missing, so a second run takes seconds:
#   - the Rust target wasm32-unknown-unknown and clippy (rustup)
#   - chromium, chromium-driver, firefox-esr, brotli (apt)
#   - wasm-bindgen-cli at exactly the version Cargo.lock pins, plus wasm-pack
#     and geckodriver (cargo install --locked, into ~/.cargo/bin)
#   - the npm dev dependencies of tests/edge (npm ci): miniflare, with workerd
#     from its platform package (npm 11 skips install scripts; none is needed)
#   - the npm dev dependencies of tests/js (npm ci): typescript, and binaryen,
#     whose wasm-opt scripts/build.sh uses (Debian's binaryen 108 corrupts
#     wasm-bindgen's externref table export, a bug fixed in binaryen 110);
#     playwright-core (CDP for Chromium's quota override in
#     tests/browser/persistence.mjs and the benchmark; it drives the Debian
#     chromium, never a browser of its own), and idb-keyval, dexie and
#     localforage (the peers of the benchmark, tests/bench/)
# Nothing is downloaded but packages from crates.io, Debian and npm; in
# particular wasm-pack is never left to fetch wasm-bindgen or a driver itself.
# With --build-only it installs just what scripts/build.sh needs (the target,
# wasm-bindgen-cli, the npm packages): the demo command uses that.
set -euo pipefail
build_only=false
[[ ${1:-} == --build-only ]] && build_only=true
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Pinned tool versions (wasm-bindgen's comes from Cargo.lock: the CLI and the
# test runner must equal the wasm-bindgen crate the project is built with).
WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1

section() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
have() { command -v "$1" >/dev/null 2>&1; }
die() { printf 'install-test-deps: %s\n' "$*" >&2; exit 1; }

wasm_bindgen_version() {
  local v
  v=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock 2>/dev/null || true)
  [[ -n $v ]] || v=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml | head -n1)
  [[ -n $v ]] || die "cannot tell the wasm-bindgen version from Cargo.lock or Cargo.toml"
  printf '%s' "$v"
}
WASM_BINDGEN_VERSION=$(wasm_bindgen_version)

section "Rust target wasm32-unknown-unknown"
have cargo || die "cargo is not on PATH; this machine kind comes with a rustup toolchain"
if rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null; then
  note "present"
else
  rustup target add wasm32-unknown-unknown
fi

if $build_only; then :; else
section "clippy (rustup component)"
if cargo clippy --version >/dev/null 2>&1; then
  note "present: $(cargo clippy --version)"
else
  rustup component add clippy
fi

section "Debian packages (browsers, drivers, brotli)"
missing=()
have chromium || missing+=(chromium)
have chromedriver || missing+=(chromium-driver)
have firefox-esr || missing+=(firefox-esr)
have brotli || missing+=(brotli)
if ((${#missing[@]} == 0)); then
  note "present: chromium $(chromium --version 2>/dev/null | awk '{print $2}'), chromedriver, firefox-esr, brotli"
else
  note "installing: ${missing[*]}"
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
fi

section "wasm-bindgen-cli $WASM_BINDGEN_VERSION (wasm-bindgen, wasm-bindgen-test-runner)"
if [[ $(wasm-bindgen --version 2>/dev/null) == "wasm-bindgen $WASM_BINDGEN_VERSION" &&
      $(wasm-bindgen-test-runner --version 2>/dev/null) == "wasm-bindgen-test-runner $WASM_BINDGEN_VERSION" ]]; then
  note "present: $(command -v wasm-bindgen)"
else
  note "cargo install (compiles from crates.io, a few minutes)"
  cargo install --quiet --locked --force --version "$WASM_BINDGEN_VERSION" wasm-bindgen-cli
fi

if $build_only; then :; else
section "wasm-pack and geckodriver"
if have wasm-pack; then
  note "present: $(wasm-pack --version)"
else
  note "cargo install wasm-pack $WASM_PACK_VERSION (a few minutes)"
  cargo install --quiet --locked --version "$WASM_PACK_VERSION" wasm-pack
fi
if have geckodriver; then
  note "present: $(geckodriver --version | head -n1)"
else
  note "cargo install geckodriver $GECKODRIVER_VERSION (a few minutes)"
  cargo install --quiet --locked --version "$GECKODRIVER_VERSION" geckodriver
fi
fi

section "npm dev dependencies (tests/js)"
have node && have npm || die "node and npm are needed to build and test; this machine kind comes with both"
lock=tests/js/package-lock.json
stamp=tests/js/node_modules/.boltkv-lock.sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  note "up to date with $lock"
else
  (cd tests/js && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s\n' "$want" >"$stamp"
  note "installed from $lock: typescript $(tests/js/node_modules/.bin/tsc --version | awk '{print $2}'), $(tests/js/node_modules/.bin/wasm-opt --version), playwright-core $(node -p "require('./tests/js/node_modules/playwright-core/package.json').version"), idb-keyval $(node -p "require('./tests/js/node_modules/idb-keyval/package.json').version"), dexie $(node -p "require('./tests/js/node_modules/dexie/package.json').version"), localforage $(node -p "require('./tests/js/node_modules/localforage/package.json').version")"
fi

if $build_only; then :; else
section "npm dev dependencies (tests/edge)"
lock=tests/edge/package-lock.json
stamp=tests/edge/node_modules/.boltkv-lock.sha256
want=$(sha256sum "$lock" | cut -d' ' -f1)
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  note "up to date with $lock"
else
  (cd tests/edge && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  printf '%s\n' "$want" >"$stamp"
fi
workerd=tests/edge/node_modules/@cloudflare/workerd-linux-64/bin/workerd
[[ -x $workerd ]] || die "npm ci installed no workerd binary at $workerd (its platform package)"
note "miniflare $(node -p 'require("./tests/edge/node_modules/miniflare/package.json").version'), $("$workerd" --version)"
fi
