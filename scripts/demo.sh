#!/usr/bin/env bash
# Installs the build tools when missing, builds the npm package, and runs
# the demo of the main job against it: in Node (scripts/demo.mjs), then in
# headless Chromium, data surviving a browser restart on IndexedDB
# (tests/browser/restart-demo.mjs; skipped when Chromium is not installed:
# scripts/install-test-deps.sh installs it). Then it serves the playground
# page (www/) on http://127.0.0.1:<port> until Ctrl-C (PORT, default 8080; a
# free port if that one is taken). With CI=true or DEMO_NO_SERVE=1 it prints
# the address it would serve and ends.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-test-deps.sh --build-only
bash scripts/build.sh
node scripts/demo.mjs
if command -v chromium >/dev/null 2>&1; then
  node tests/browser/restart-demo.mjs
else
  printf '\n(chromium is not installed: skipped the browser-restart demo; scripts/install-test-deps.sh installs it)\n'
fi
exec node scripts/serve.mjs
