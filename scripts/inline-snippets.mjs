// Folds wasm-bindgen's snippet modules (the JavaScript files the crate
// imports with `#[wasm_bindgen(module = ...)]` or `inline_js`) into the glue
// module beside them, so that loading the glue costs no further round trip:
// each snippet becomes a function-scoped block whose exports the glue reads
// from one object. Usage: node scripts/inline-snippets.mjs <glue dir>
// (scripts/build.sh runs it on each build's glue, then the snippets/ folder
// is removed). Refuses a snippet it cannot fold safely (one that imports,
// or exports in a form other than `export [async] function`/`const`/`let`/
// `class`), rather than produce a glue that fails at load.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const gluePath = path.join(dir, 'boltkv.js');
let glue = readFileSync(gluePath, 'utf8');

const fail = (why) => {
  console.error(`inline-snippets: ${why}`);
  process.exit(1);
};

// One folded block per snippet file, in the order the glue first names them.
const blocks = new Map(); // relative path -> { name, code }
function fold(from) {
  if (blocks.has(from)) return blocks.get(from).name;
  const source = readFileSync(path.join(dir, from), 'utf8');
  if (/^\s*import\b/m.test(source)) fail(`${from} imports another module; fold it by hand or drop the import.`);
  const declared = /^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([A-Za-z_$][\w$]*)/gm;
  const names = [...source.matchAll(declared)].map((m) => m[1]);
  const code = source.replace(/^export\s+(?=(?:async\s+)?(?:function|const|let|class)\b)/gm, '');
  if (/^\s*export\b/m.test(code)) fail(`${from} has an export form this script does not fold.`);
  const name = `snippet${blocks.size}`;
  blocks.set(from, { name, code: `const ${name} = (() => {\n${code}\nreturn { ${names.join(', ')} };\n})();\n` });
  return name;
}

const imports = /^import\s+(\{[^}]*\}|\*\s+as\s+[\w$]+)\s+from\s+['"](\.\/snippets\/[^'"]+)['"];?[ \t]*$/gm;
glue = glue.replace(imports, (_, what, from) => {
  const name = fold(from);
  if (what.startsWith('*')) return `const ${what.replace(/^\*\s+as\s+/, '')} = ${name};`;
  return `const ${what.replace(/\s+as\s+/g, ': ')} = ${name};`;
});
if (/\bfrom\s+['"]\.\/snippets\//.test(glue)) fail('the glue still names a snippet this script did not fold.');
if (!blocks.size) process.exit(0);

// The blocks go before the first line that reads them, after the glue's
// own leading comment lines.
const first = glue.search(/^const [^=]+= snippet\d+;/m);
glue = glue.slice(0, first) + [...blocks.values()].map((b) => b.code).join('') + glue.slice(first);
writeFileSync(gluePath, glue);
rmSync(path.join(dir, 'snippets'), { recursive: true, force: true });
console.log(`    folded into ${gluePath}: ${[...blocks.keys()].join(', ')}`);
