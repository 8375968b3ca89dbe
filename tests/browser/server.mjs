// A tiny static file server for the browser conformance runner.
//
// Serves the repository root on 127.0.0.1 (a random free port, loopback
// only), so `/pkg/browser.js` and `/tests/js/conformance/index.js` resolve as
// they would in a user's page, with the MIME types browsers insist on for
// modules and wasm (`.wasm` as application/wasm, `.js`/`.mjs` as
// text/javascript). A page reports back with JSON POSTs to `/report/<kind>`;
// each parsed body goes to `onPost(kind, body)`. With `home` ('/www/'),
// `/` redirects there; a directory asked for without its trailing slash
// redirects to it, so the page's relative URLs resolve.
//
//   import { startServer } from './server.mjs';
//   const server = await startServer({ onPost: (kind, body) => ... });
//   server.url  // http://127.0.0.1:<port>
//   await server.close();
//
// Run on its own (`node tests/browser/server.mjs [port]`) it serves the repo
// and prints what pages post, for opening tests/browser/conformance.html in
// a browser by hand.

import http from 'node:http';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

const MAX_BODY = 16 * 1024 * 1024;

/**
 * Starts the server. `onPost(kind, body)` receives every JSON POST to
 * `/report/<kind>`; `port` 0 (the default) picks a free one.
 */
export function startServer({ root = ROOT, port = 0, onPost = () => {}, home = null } = {}) {
  const base = path.resolve(root);
  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, `server error: ${err && err.message}\n`);
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (req.method === 'POST') {
      const m = /^\/report\/([a-z]+)$/.exec(url.pathname);
      if (!m) return send(res, 404, 'no such endpoint\n');
      let body;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        return send(res, 400, `bad report: ${err.message}\n`);
      }
      try {
        onPost(m[1], body);
      } catch (err) {
        return send(res, 500, `report handler failed: ${err.message}\n`);
      }
      return send(res, 204, '');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
    if (home && url.pathname === '/') return redirect(res, home);

    let rel;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'bad path\n');
    }
    if (rel.includes('\0')) return send(res, 400, 'bad path\n');
    let file = path.resolve(base, '.' + rel);
    if (file !== base && !file.startsWith(base + path.sep)) return send(res, 403, 'outside the root\n');
    let stat;
    try {
      stat = await fs.stat(file);
      if (stat.isDirectory()) {
        // A page's relative URLs resolve against its directory: /www -> /www/.
        if (!url.pathname.endsWith('/')) return redirect(res, `${url.pathname.replace(/^\/+/, "/")}/${url.search}`);
        file = path.join(file, 'index.html');
        stat = await fs.stat(file);
      }
    } catch {
      return send(res, 404, `not found: ${rel}\n`);
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file).toLowerCase()] || 'application/octet-stream',
      'Content-Length': stat.size,
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const { port: actual } = server.address();
      resolve({
        port: actual,
        url: `http://127.0.0.1:${actual}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections?.();
          }),
      });
    });
  });
}

function send(res, status, text) {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

function redirect(res, location) {
  res.writeHead(301, { Location: location, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`see ${location}\n`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startServer({
    port: Number(process.argv[2] || 0),
    onPost(kind, body) {
      if (kind === 'case') console.log(`${body.ok ? 'ok  ' : 'FAIL'} [${body.browser} ${body.backend}] ${body.name}${body.ok ? '' : `: ${body.error}`}`);
      else if (kind === 'done') {
        const failed = body.results.filter((r) => !r.ok).length;
        console.log(`[${body.browser} ${body.backend}] ${body.results.length - failed} passed, ${failed} failed`);
      } else console.log(kind, JSON.stringify(body));
    },
  });
  console.log(`serving ${ROOT} at ${server.url}`);
  console.log(`open ${server.url}/tests/browser/conformance.html?backend=indexeddb (or memory, localStorage)`);
}
