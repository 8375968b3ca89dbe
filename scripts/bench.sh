#!/usr/bin/env bash
# The benchmark command (separate from the tests): builds pkg/, then runs
# tests/bench/bench.mjs, which serves tests/bench/bench.html on loopback and
# measures boltkv beside a JS Map, raw IndexedDB, idb-keyval, Dexie,
# localForage and localStorage in headless Chromium (playwright-core, CDP) and
# headless Firefox ESR, and writes results/latest.{json,md,svg}.
#
#   bash scripts/bench.sh [--quick] [--browsers chromium,firefox] [--cpu-profile] [--check]
#
# It installs nothing beyond what scripts/install-test-deps.sh installs (run
# that, or scripts/test.sh, once first). A full run takes about 15 minutes on
# 2 cores; --quick (a few hundred records, 1 run) under a minute.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
for dep in playwright-core idb-keyval dexie localforage; do
  [[ -f tests/js/node_modules/$dep/package.json ]] ||
    { echo "bench: tests/js/node_modules/$dep is missing; run scripts/install-test-deps.sh" >&2; exit 1; }
done
scripts/build.sh
exec node tests/bench/bench.mjs "$@"
