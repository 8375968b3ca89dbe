#!/usr/bin/env bash
# Installs the build tools when missing, builds the npm package, and runs
# the demo of the main job against it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/install-test-deps.sh --build-only
bash scripts/build.sh
node scripts/demo.mjs
