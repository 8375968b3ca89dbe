#!/usr/bin/env bash
# Installs the build tools when missing, builds the npm package, runs the
# demo of the main job against it, then serves the playground page (www/)
# on http://127.0.0.1:<port> until Ctrl-C (PORT, default 8080; a free port
# if that one is taken). With CI=true or DEMO_NO_SERVE=1 it prints the
# address it would serve and ends.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-test-deps.sh --build-only
bash scripts/build.sh
node scripts/demo.mjs
exec node scripts/serve.mjs
