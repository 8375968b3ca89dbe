#!/usr/bin/env bash
# Builds the npm package into pkg/ (ESM, for browsers and bundlers, Node and
# Workers), size-optimised, as two builds that each carry only their
# drivers (Cargo.toml's features): browser (memory, IndexedDB, localStorage;
# pkg/browser.js loads it) and worker (memory and the adapter for Workers KV,
# Durable Objects and any async store; pkg/worker.js and pkg/node.js). Each:
#   cargo build --release --target wasm32-unknown-unknown --lib --features <it>
#   wasm-bindgen --target web          -> pkg/glue/<build>/
#   snippet modules folded into the glue (scripts/inline-snippets.mjs)
#   wasm-opt -Oz (binaryen >= 110: npm's, from tests/js, or one on PATH)
# then pkg-config/* (package.json, entry files, types) -> pkg/, imports the
# Node entry as a smoke test and prints each build's size, raw and brotli.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

TARGET=wasm32-unknown-unknown
OUT=pkg
GLUE=$OUT/glue

section() { printf '\n==> %s\n' "$*"; }
die() { printf 'build: %s\n' "$*" >&2; exit 1; }

# The wasm-bindgen CLI must be the exact version of the crate in Cargo.lock.
want=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
[[ $have == "$want" ]] ||
  die "wasm-bindgen ${have:-(not found)} on PATH, but Cargo.lock has wasm-bindgen $want; run scripts/install-test-deps.sh"

# wasm-opt: binaryen from npm (tests/js, installed by install-test-deps.sh),
# else one on PATH, but never binaryen < 110: those rebind wasm-bindgen's
# exported externref table to the funcref table, and the module then fails
# at init with "WebAssembly.Table.grow(): failed to grow table by 4".
wasm_opt=""
for candidate in tests/js/node_modules/.bin/wasm-opt "$(command -v wasm-opt || true)"; do
  [[ -n $candidate && -x $candidate ]] || continue
  version=$("$candidate" --version 2>/dev/null | awk '{print $3}' || true)
  if [[ $version =~ ^[0-9]+$ ]] && ((version >= 110)); then
    wasm_opt=$candidate
    break
  fi
  printf '    not using %s: binaryen %s (< 110) breaks wasm-bindgen output\n' "$candidate" "${version:-?}"
done

target_dir=$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
rm -rf "$OUT"

# build <name> <feature>: one build into $GLUE/<name>/. The types come from
# the browser build alone: both builds have the same KvStore class.
build() {
  local name=$1 feature=$2 dir=$GLUE/$1
  section "$name build: cargo build --release --target $TARGET --lib --no-default-features --features $feature"
  cargo build --release --target "$TARGET" --lib --no-default-features --features "$feature"
  local wasm_in=$target_dir/$TARGET/release/boltkv.wasm
  [[ -f $wasm_in ]] || die "cargo built no $wasm_in"

  section "$name build: wasm-bindgen $want --target web -> $dir"
  local types=()
  [[ $name == browser ]] || types=(--no-typescript)
  wasm-bindgen --target web --omit-default-module-path "${types[@]}" --out-dir "$dir" --out-name boltkv "$wasm_in"
  rm -f "$dir/boltkv_bg.wasm.d.ts"
  node scripts/inline-snippets.mjs "$dir"
  local wasm=$dir/boltkv_bg.wasm
  # Rust's float formatting stays out of the JavaScript builds (README,
  # "Size"): any type decoded through serde would link it again. The names
  # are still in the module here; wasm-opt strips them below.
  if grep -aq -e 'flt2dec' -e 'de::Unexpected' "$wasm"; then
    die "the $name build links Rust's float formatting (flt2dec) or serde's Unexpected: a type is decoded through serde somewhere; read it with src/json_read.rs"
  fi

  if [[ -n $wasm_opt ]]; then
    section "$name build: wasm-opt -Oz ($("$wasm_opt" --version))"
    # The features rustc enables by default for wasm32-unknown-unknown; the
    # module's target_features section lists them too, and these flags make
    # sure validation and the optimiser accept them whatever wasm-opt detects.
    "$wasm_opt" -Oz \
      --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
      --enable-mutable-globals --enable-reference-types --enable-multivalue \
      --strip-debug --strip-producers \
      "$wasm" -o "$wasm.opt"
    mv "$wasm.opt" "$wasm"
  else
    section "no wasm-opt >= 110: the wasm is not post-optimised (scripts/install-test-deps.sh installs one)"
  fi
}
build browser browser
build worker edge

section "pkg-config/ -> $OUT/"
cp -R pkg-config/. "$OUT/"

# Each entry file re-exports the glue's exports except init/initSync, and
# boltkv.d.ts re-exports the glue's types except the init ones. The lists are
# written out by hand, so check them against what wasm-bindgen made.
node - "$OUT" <<'JS'
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const read = (f) => fs.readFileSync(path.join(dir, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
function exported(src) {
  const names = new Set();
  const decl = /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:class|function\*?|const|let|var|type|interface|enum|namespace)\s+([A-Za-z_$][\w$]*)/gm;
  for (const m of src.matchAll(decl)) names.add(m[1]);
  for (const m of src.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm))
    for (const part of m[1].split(',')) {
      const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop().trim();
      if (name) names.add(name);
    }
  if (/^export\s+default\b/m.test(src)) names.add('default');
  return names;
}
const hidden = new Set(['default', 'initSync', '__wbg_init', 'InitInput', 'InitOutput', 'SyncInitInput']);
const expect = (file) => [...exported(read(file))].filter((n) => !hidden.has(n)).sort();
const js = expect('glue/browser/boltkv.js');
const dts = expect('glue/browser/boltkv.d.ts');
const worker = expect('glue/worker/boltkv.js');
if (worker.join() !== js.join()) {
  console.error(`the two builds export different names: browser ${js.join(', ')}; worker ${worker.join(', ')}.`);
  process.exit(1);
}
let bad = false;
for (const [entry, want] of [['browser.js', js], ['node.js', js], ['worker.js', js], ['boltkv.d.ts', dts]]) {
  const got = exported(read(entry));
  const missing = want.filter((n) => !got.has(n));
  const extra = [...got].filter((n) => !want.includes(n));
  if (missing.length || extra.length) {
    bad = true;
    console.error(`pkg-config/${entry}: ` +
      (missing.length ? `add to its export list: ${missing.join(', ')}. ` : '') +
      (extra.length ? `not exported by the glue (remove): ${extra.join(', ')}.` : ''));
  }
}
if (bad) process.exit(1);
console.log(`    entry files re-export: ${js.join(', ') || '(nothing)'}; types: ${dts.length} names`);
JS

section "smoke test: import pkg/node.js, open a store, set and get"
node --input-type=module - "$PWD/$OUT/node.js" <<'JS'
const { KvStore } = await import(process.argv[2]);
const kvStore = await KvStore.open();
const set = await kvStore.set('smoke', 'ns', 'key', { ok: [1, 'two'] }, true);
const got = await kvStore.get('smoke', 'ns', 'key');
if (!set.success || !got.success || JSON.stringify(got.data.value) !== '{"ok":[1,"two"]}') {
  console.error('build: the built package does not work:', JSON.stringify({ set, got }));
  process.exit(1);
}
console.log('    ok: set and get answered', JSON.stringify(got.data));
JS

section "sizes"
for name in browser worker; do
  wasm=$GLUE/$name/boltkv_bg.wasm
  if command -v brotli >/dev/null 2>&1; then
    br=$(brotli -c "$wasm" | wc -c)
  else
    br="? (brotli not on PATH)"
  fi
  printf '    %-7s wasm: %s bytes raw, %s bytes brotli\n' "$name" "$(wc -c <"$wasm")" "$br"
done
