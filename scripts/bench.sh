#!/usr/bin/env bash
# The benchmark command (separate from the tests): builds pkg/, then runs
# tests/bench/bench.mjs, which serves tests/bench/bench.html on loopback and
# measures boltkv beside a JS Map, raw IndexedDB, idb-keyval, Dexie,
# localForage and localStorage in headless Chromium (playwright-core, CDP) and
# headless Firefox ESR, and writes results/latest.{json,md,svg}.
#
#   bash scripts/bench.sh [--quick] [--browsers chromium,firefox] [--cpu-profile] [--check]
#   bash scripts/bench.sh --node [--quick] [--rounds N]
#
# It installs nothing beyond what scripts/install-test-deps.sh installs (run
# that, or scripts/test.sh, once first). A full run takes about 21 minutes on
# 2 cores; --quick (a few hundred records, 1 run) under a minute.
#
# --node runs tests/bench/node.mjs instead: the in-memory workloads in one
# Node process, boltkv's memory backend beside the plain JavaScript kvStore
# and the JS Map, medians of 7 rounds (about 2 minutes; --quick a few
# seconds), no browser.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [[ ${1:-} == --node ]]; then
  shift
  scripts/build.sh
  exec node tests/bench/node.mjs "$@"
fi
for dep in playwright-core idb-keyval dexie localforage; do
  [[ -f tests/js/node_modules/$dep/package.json ]] ||
    { echo "bench: tests/js/node_modules/$dep is missing; run scripts/install-test-deps.sh" >&2; exit 1; }
done
scripts/build.sh
exec node tests/bench/bench.mjs "$@"
