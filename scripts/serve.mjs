// Serves the repository root on 127.0.0.1 so the playground (/www/) loads
// the built package (/pkg/browser.js), and prints its address. The port is
// PORT (default 8080); when that one is taken, any free port. Runs until
// Ctrl-C (SIGINT) or SIGTERM, then closes and exits 0.
//
// With CI=true or DEMO_NO_SERVE=1 it only prints the address it would serve
// and exits, so scripted runs of the demo end by themselves.
import { startServer } from '../tests/browser/server.mjs';

const PATH = '/www/';
const wanted = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(wanted) || wanted < 0 || wanted > 65535) {
  console.error(`serve: PORT=${process.env.PORT} is not a port number (0 to 65535)`);
  process.exit(2);
}

if (process.env.CI === 'true' || process.env.DEMO_NO_SERVE === '1') {
  console.log(`\nThe playground would be served at http://127.0.0.1:${wanted}${PATH}`);
  console.log(`(not serving: ${process.env.DEMO_NO_SERVE === '1' ? 'DEMO_NO_SERVE=1' : 'CI=true'} is set)`);
  process.exit(0);
}

let server;
try {
  server = await startServer({ port: wanted, home: PATH });
} catch (err) {
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
  console.log(`\nPort ${wanted} is not available (${err.code}); using a free one.`);
  server = await startServer({ port: 0, home: PATH });
}

console.log(`\nThe playground is at ${server.url}${PATH}`);
console.log('Serving the repository root on 127.0.0.1 only. Press Ctrl-C to stop.');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log('\nStopped.');
    await server.close();
    process.exit(0);
  });
}
