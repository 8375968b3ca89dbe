#!/usr/bin/env bash
# The test command: installs what the tests need (stage 0,
# scripts/install-test-deps.sh), then runs every suite in order and stops at
# the first failure:
#   1. cargo test                        native unit and property tests, doctests
#   2. cargo clippy, warnings as errors  the lints src/lib.rs declares, native
#      and wasm32, every target (tests and examples too)
#   3. cargo doc --no-deps               the API docs, warnings denied
#   4. wasm-bindgen-test, one shared suite in Node, headless Chromium and
#      headless Firefox (cargo test --target wasm32-unknown-unknown)
#   5. wasm-pack test --headless --chrome
#   6. scripts/build.sh                  the npm package in pkg/
#   7. the Rust examples: cargo run --example quickstart (native), and the
#      Rust page examples/rust-page built with wasm-bindgen --target web and
#      driven in headless Chromium (node tests/browser/rust-page.mjs)
#   8. node --test                       tests/js/**/*.test.mjs against pkg/
#   9. node tests/browser/run.mjs        the conformance suite in headless
#      Chromium and Firefox, on the memory, indexeddb and localStorage backends
#      (on the last two also what outlives a store: expired records leaving
#      the database or the items, versions across a reopen)
#  10. node tests/browser/persistence.mjs  data surviving a reload and a
#      browser restart, the two-page race, two tabs racing on what storage
#      decides (names, conditional increments), a tab watching another's
#      1,000 writes, a tab paging by cursor while another writes, a real
#      quota, in headless Chromium and Firefox on indexeddb and localStorage
#  11. tsc --strict --noEmit             tests/ts/usage.ts against pkg/'s types
#  12. node --test tests/edge             the adapter backend in Node, and the
#      example worker under workerd (miniflare) on loopback, with the
#      test-only routes of tests/edge/probe.js that read a Durable Object's
#      storage and run two store objects on one Workers KV prefix
#  13. node tests/browser/playground.mjs the playground page (www/) end to end
#      in headless Chromium via playwright-core, served by scripts/serve.mjs
#  14. node tests/bench/bench.mjs --quick  the benchmark's smoke run (a few
#      hundred records, 1 run, both browsers), so its code cannot rot: 1
#      passed when it writes a results JSON with every peer and workload;
#      then its Node mode the same way (node tests/bench/node.mjs --quick)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

RIG=$ROOT/target/test-rig          # logs and generated driver configs
mkdir -p "$RIG"
rm -f "$RIG"/*.log

# The wasm-bindgen test runner picks its host from the environment: a
# WASM_BINDGEN_USE_BROWSER=1 run drives the first of GECKODRIVER, CHROMEDRIVER
# (and *_REMOTE) that is set, so start from none and set one per run.
unset WASM_BINDGEN_USE_BROWSER WASM_BINDGEN_USE_NODE_EXPERIMENTAL WASM_BINDGEN_USE_DENO \
  WASM_BINDGEN_TEST_ONLY_NODE WASM_BINDGEN_TEST_ONLY_WEB NO_HEADLESS \
  GECKODRIVER CHROMEDRIVER SAFARIDRIVER MSEDGEDRIVER \
  GECKODRIVER_REMOTE CHROMEDRIVER_REMOTE SAFARIDRIVER_REMOTE MSEDGEDRIVER_REMOTE
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CARGO_TERM_PROGRESS_WHEN=never

stage_names=() stage_secs=()
current="" started=0
passed=0 failed=0 counts=()

stage() {
  finish_stage
  current=$1 started=$(date +%s%N)
  printf '\n======== [%d/14] %s ========\n' "${#stage_names[@]}" "$current"
}
finish_stage() {
  [[ -n $current ]] || return 0
  stage_names+=("$current")
  stage_secs+=("$(awk -v ns=$(($(date +%s%N) - started)) 'BEGIN { printf "%.1f", ns / 1e9 }')")
  current=""
}
summary() {
  local i
  printf '\n======== summary ========\n'
  for i in "${!stage_names[@]}"; do printf '  %6ss  %s\n' "${stage_secs[$i]}" "${stage_names[$i]}"; done
  for i in "${counts[@]}"; do printf '  %s\n' "$i"; done
}
on_exit() {
  local rc=$?
  [[ -z $current ]] || failed_stage=$current
  finish_stage
  trap - EXIT
  summary
  if ((rc == 0)); then
    printf '%d passed, %d failed\n' "$passed" "$failed"
  elif ((failed > 0)); then
    printf 'FAILED in stage: %s\n%d passed, %d failed\n' "${failed_stage:-?}" "$passed" "$failed"
  else
    printf 'FAILED in stage: %s (exit code %d)\n' "${failed_stage:-?}" "$rc"
  fi
  exit "$rc"
}
trap on_exit EXIT

# Adds the counts of cargo's "test result:" lines in a log to the totals.
count_cargo() { # label log
  local p f
  read -r p f < <(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
                       END { print p + 0, f + 0 }' "$2")
  passed=$((passed + p)) failed=$((failed + f))
  counts+=("$(printf '%-44s %4d passed, %d failed' "$1" "$p" "$f")")
}

# Runs a cargo test command with its output shown and kept in a log, adds
# its counts to the totals, and ends the run if it failed.
cargo_run() { # label log command...
  local label=$1 log=$2 rc=0
  shift 2
  "$@" 2>&1 | tee -a "$log" || rc=$?
  count_cargo "$label" "$log"
  return "$rc"
}

# Runs a command whose last count line is `N passed, N failed`, with its
# output shown and kept in a log, adds those counts to the totals (a failure
# that printed no failed count counts as 1 failed), and ends the run if it
# failed.
counted_run() { # label log command...
  local label=$1 log=$2 rc=0 p f
  shift 2
  "$@" 2>&1 | tee "$log" || rc=$?
  read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$log")
  if ((rc != 0 && f == 0)); then p=0 f=1; fi
  passed=$((passed + p)) failed=$((failed + f))
  counts+=("$(printf '%-44s %4d passed, %d failed' "$label" "$p" "$f")")
  return "$rc"
}

# A wasm test run that reports success but ran nothing is a failure: the
# runner skips suites silently when the host does not match, for example.
require_ran() { # log host-pattern
  if grep -q 'only configured to run in' "$1"; then
    echo "test.sh: the wasm test runner skipped the suite (see $1)" >&2
    return 1
  fi
  grep -q "$2" "$1" || { echo "test.sh: expected '$2' in $1; the tests did not run where they should" >&2; return 1; }
  grep -Eq '^running [1-9][0-9]* tests?$' "$1" || { echo "test.sh: no wasm tests ran (see $1)" >&2; return 1; }
}

# ---------------------------------------------------------------------------
stage "install test dependencies (scripts/install-test-deps.sh)"
scripts/install-test-deps.sh

# WebDriver capabilities for the two browsers. The runner adds headless
# (and, for Chromium, --no-sandbox, which running as root needs); these add
# flags that keep Chromium off the network this machine does not have.
chromium_bin=$(command -v chromium)
firefox_bin=$(command -v firefox-esr || command -v firefox)
cat >"$RIG/chromium.json" <<JSON
{ "goog:chromeOptions": { "binary": "$chromium_bin", "args": [
  "disable-gpu", "disable-background-networking", "disable-component-update",
  "disable-sync", "disable-quic", "no-first-run", "no-default-browser-check" ] } }
JSON
cat >"$RIG/firefox.json" <<JSON
{ "moz:firefoxOptions": { "binary": "$firefox_bin", "prefs": {
  "app.update.enabled": false, "browser.shell.checkDefaultBrowser": false,
  "datareporting.policy.dataSubmissionEnabled": false, "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false, "toolkit.telemetry.enabled": false } } }
JSON

# ---------------------------------------------------------------------------
stage "cargo test (native)"
cargo_run "native (cargo test)" "$RIG/native.log" cargo test --quiet --no-fail-fast

# ---------------------------------------------------------------------------
stage "lints (cargo clippy --all-targets, warnings as errors, native and wasm32)"
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --all-targets --target wasm32-unknown-unknown -- -D warnings
passed=$((passed + 1)) && counts+=("$(printf '%-44s %4d passed, %d failed' "cargo clippy (native and wasm32)" 1 0)")

# ---------------------------------------------------------------------------
stage "API docs (cargo doc --no-deps, warnings denied)"
# Every public item is documented (#![deny(missing_docs)] in src/lib.rs);
# this catches broken links and bad doc markup, natively and for wasm32,
# where the browser backends and the JavaScript bindings are documented.
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps
RUSTDOCFLAGS="-D warnings" cargo doc --quiet --no-deps --target wasm32-unknown-unknown
passed=$((passed + 1)) && counts+=("$(printf '%-44s %4d passed, %d failed' "cargo doc (native and wasm32)" 1 0)")

# ---------------------------------------------------------------------------
stage "wasm-bindgen-test in Node, headless Chromium, headless Firefox"
echo "--- build"
cargo test --quiet --target wasm32-unknown-unknown --no-run
echo "--- Node.js $(node --version)"
# Node has neither IndexedDB nor localStorage: the browser-storage suites
# (wasm_indexeddb, wasm_local_storage) run in the browser stages only.
cargo_run "wasm-bindgen-test, Node" "$RIG/wasm-node.log" \
  cargo test --no-fail-fast --target wasm32-unknown-unknown --test wasm --test wasm_bindings
require_ran "$RIG/wasm-node.log" '^running'

echo "--- $(chromium --version 2>/dev/null) via $(chromedriver --version | awk '{print $1, $2}')"
cargo_run "wasm-bindgen-test, headless Chromium" "$RIG/wasm-chromium.log" \
  env WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER="$(command -v chromedriver)" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$RIG/chromium.json" \
  cargo test --no-fail-fast --target wasm32-unknown-unknown
require_ran "$RIG/wasm-chromium.log" 'Running headless tests in Chrome'

echo "--- $("$firefox_bin" --version 2>/dev/null) via $(geckodriver --version | head -n1)"
cargo_run "wasm-bindgen-test, headless Firefox" "$RIG/wasm-firefox.log" \
  env WASM_BINDGEN_USE_BROWSER=1 GECKODRIVER="$(command -v geckodriver)" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$RIG/firefox.json" \
  cargo test --no-fail-fast --target wasm32-unknown-unknown
require_ran "$RIG/wasm-firefox.log" 'Running headless tests in Firefox'

# ---------------------------------------------------------------------------
stage "wasm-pack test --headless --chrome"
# wasm-pack finds wasm-bindgen-test-runner and chromedriver on PATH (it only
# downloads them when they are missing, which install-test-deps.sh prevents)
# and sets WASM_BINDGEN_TEST_ONLY_WEB; WASM_BINDGEN_USE_BROWSER=1 makes the
# shared suite a browser suite, else the runner would skip it as Node-only.
cargo_run "wasm-pack test --headless --chrome" "$RIG/wasm-pack.log" \
  env WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER="$(command -v chromedriver)" \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$RIG/chromium.json" \
  wasm-pack --log-level warn test --headless --chrome
require_ran "$RIG/wasm-pack.log" 'Running headless tests in Chrome'

# ---------------------------------------------------------------------------
stage "build the npm package (scripts/build.sh)"
scripts/build.sh
# `import 'boltkv'` from tests/ resolves to pkg/ through its package.json
# exports, as it would in a user's project.
mkdir -p node_modules
ln -sfn ../pkg node_modules/boltkv

# ---------------------------------------------------------------------------
stage "Rust examples: quickstart (native), the Rust page on IndexedDB in headless Chromium"
# The quickstart prints "<UUID> at <ISO time>" and the theme it read back.
cargo run --quiet --example quickstart | tee "$RIG/quickstart.log"
if grep -Eq '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12} at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' "$RIG/quickstart.log" &&
  grep -qx 'theme: dark' "$RIG/quickstart.log"; then
  passed=$((passed + 1)) && counts+=("$(printf '%-44s %4d passed, %d failed' "cargo run --example quickstart" 1 0)")
else
  failed=$((failed + 1)) && counts+=("$(printf '%-44s %4d passed, %d failed' "cargo run --example quickstart" 0 1)")
  echo "test.sh: the quickstart did not print a record id and time, then 'theme: dark'" >&2
  exit 1
fi
echo "--- the Rust page: cargo build -p boltkv-rust-page, wasm-bindgen --target web"
cargo build --quiet --target wasm32-unknown-unknown -p boltkv-rust-page
page_wasm=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/wasm32-unknown-unknown/debug/boltkv_rust_page.wasm
rm -rf examples/rust-page/pkg
wasm-bindgen --target web --out-dir examples/rust-page/pkg "$page_wasm"
node tests/browser/rust-page.mjs 2>&1 | tee "$RIG/rust-page.log" || rust_page_rc=$?
read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$RIG/rust-page.log")
if ((${rust_page_rc:-0} != 0 && f == 0)); then f=1; fi # it failed without saying what: count that
passed=$((passed + p)) failed=$((failed + f))
counts+=("$(printf '%-44s %4d passed, %d failed' "the Rust page in headless Chromium" "$p" "$f")")
((${rust_page_rc:-0} == 0)) || exit "$rust_page_rc"

# ---------------------------------------------------------------------------
stage "JavaScript conformance suite (node --test tests/js)"
mapfile -t js_tests < <(find tests/js -path tests/js/node_modules -prune -o -name '*.test.mjs' -print | sort)
if ((${#js_tests[@]} == 0)); then
  echo "no tests/js/**/*.test.mjs yet: skipped"
  counts+=("JavaScript conformance suite: no test files yet, skipped")
else
  node --test --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$RIG/js.tap" "${js_tests[@]}" || js_rc=$?
  read -r p f < <(awk '/^# pass / { p = $3 } /^# fail / { f = $3 } END { print p + 0, f + 0 }' "$RIG/js.tap")
  passed=$((passed + p)) failed=$((failed + f))
  counts+=("$(printf '%-44s %4d passed, %d failed' "node --test (${#js_tests[@]} files)" "$p" "$f")")
  ((${js_rc:-0} == 0)) || exit "$js_rc"
fi

# ---------------------------------------------------------------------------
stage "conformance suite in headless Chromium and Firefox, every backend (tests/browser/run.mjs)"
# Serves the repo on 127.0.0.1 and runs tests/js/conformance in each browser
# on each backend against pkg/browser.js; its last line is `N passed, N failed`.
node tests/browser/run.mjs 2>&1 | tee "$RIG/browser.log" || browser_rc=$?
read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$RIG/browser.log")
if ((${browser_rc:-0} != 0 && f == 0)); then f=1; fi # it failed without saying what: count that
passed=$((passed + p)) failed=$((failed + f))
counts+=("$(printf '%-44s %4d passed, %d failed' "browser conformance (2 browsers x 3 backends)" "$p" "$f")")
((${browser_rc:-0} == 0)) || exit "$browser_rc"

# ---------------------------------------------------------------------------
stage "persistence in headless Chromium and Firefox: reload, restart, two-page race, two-tab race, a tab watching, paging by cursor, real quota (tests/browser/persistence.mjs)"
# Its last line is `N passed, N failed` over the assertions; the measurement
# tables it prints are informational.
node tests/browser/persistence.mjs 2>&1 | tee "$RIG/persistence.log" || persistence_rc=$?
read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$RIG/persistence.log")
if ((${persistence_rc:-0} != 0 && f == 0)); then f=1; fi # it failed without saying what: count that
passed=$((passed + p)) failed=$((failed + f))
counts+=("$(printf '%-44s %4d passed, %d failed' "browser persistence (2 browsers x 2 backends)" "$p" "$f")")
((${persistence_rc:-0} == 0)) || exit "$persistence_rc"

# ---------------------------------------------------------------------------
stage "TypeScript usage check (tsc --strict, tests/ts/usage.ts)"
tsc=tests/js/node_modules/.bin/tsc
if [[ ! -f tests/ts/usage.ts ]]; then
  echo "no tests/ts/usage.ts yet: skipped"
  counts+=("tsc usage check: no tests/ts/usage.ts yet, skipped")
else
  echo "$("$tsc" --version)"
  if [[ -f tests/ts/tsconfig.json ]]; then
    tsc_args=(-p tests/ts --strict --noEmit)
  else
    tsc_args=(--strict --noEmit --target es2022 --module esnext --moduleResolution bundler
      --lib es2022,dom tests/ts/usage.ts)
  fi
  echo "tsc ${tsc_args[*]}"
  "$tsc" "${tsc_args[@]}" || tsc_rc=$?
  if ((${tsc_rc:-0} == 0)); then
    passed=$((passed + 1)) && counts+=("tsc --strict usage check                        1 passed, 0 failed")
  else
    failed=$((failed + 1)) && counts+=("tsc --strict usage check                        0 passed, 1 failed")
    exit "$tsc_rc"
  fi
fi

# ---------------------------------------------------------------------------
stage "edge: adapter backend and the example worker under workerd (node --test tests/edge)"
mapfile -t edge_tests < <(find tests/edge -path tests/edge/node_modules -prune -o -name '*.test.mjs' -print | sort)
node --test --test-reporter=dot --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$RIG/edge.tap" "${edge_tests[@]}" || edge_rc=$?
read -r p f < <(awk '/^# pass / { p = $3 } /^# fail / { f = $3 } END { print p + 0, f + 0 }' "$RIG/edge.tap")
passed=$((passed + p)) failed=$((failed + f))
counts+=("$(printf '%-44s %4d passed, %d failed' "node --test tests/edge (${#edge_tests[@]} files)" "$p" "$f")")
((${edge_rc:-0} == 0)) || exit "$edge_rc"

# ---------------------------------------------------------------------------
stage "playground end to end in headless Chromium (tests/browser/playground.mjs)"
# Clicks through www/ as a person would (instances, records of every JSON
# type, the editor, a query, deletes, a reload, a second tab) and asserts
# what the page shows; screenshots go to target/playground-screenshots/.
# Its last line is `N passed, N failed`.
node tests/browser/playground.mjs 2>&1 | tee "$RIG/playground.log" || playground_rc=$?
read -r p f < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$RIG/playground.log")
if ((${playground_rc:-0} != 0 && f == 0)); then f=1; fi # it failed without saying what: count that
passed=$((passed + p)) failed=$((failed + f))
counts+=("$(printf '%-44s %4d passed, %d failed' "playground end to end (Chromium)" "$p" "$f")")
((${playground_rc:-0} == 0)) || exit "$playground_rc"

# ---------------------------------------------------------------------------
stage "benchmark smoke runs: headless Chromium and Firefox, and Node (tests/bench/bench.mjs --quick --check, node.mjs --quick)"
# The benchmark (scripts/bench.sh) with a few hundred records and 1 run, into
# results/quick/; --check counts 1 passed when the results JSON holds every
# peer and every workload in both browsers, else 1 failed. Then its Node mode
# (scripts/bench.sh --node) at the same sizes, a few seconds: 1 passed when
# boltkv, the plain JavaScript kvStore and the Map answered every workload
# right. Timings of a smoke run mean nothing and are not looked at.
counted_run "benchmark smoke run (--quick, 2 browsers)" "$RIG/bench.log" node tests/bench/bench.mjs --quick --check
counted_run "benchmark Node mode (--node --quick)" "$RIG/bench-node.log" node tests/bench/node.mjs --quick

finish_stage
