import { Miniflare } from 'miniflare';
import { bundle, miniflareOptions } from '../../examples/worker/local.mjs';
bundle('/tmp/edge-dist');
const mf = new Miniflare(miniflareOptions('/tmp/edge-dist', '/tmp/edge-persist'));
const url = await mf.ready;
const post = async (path, body, headers = { 'content-type': 'application/json' }) => { const r = await fetch(new URL(path, url), { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }); return [r.status, await r.text()]; };
for (const b of ['', '&backend=kv']) {
console.log(await post('/kv/set?store=a' + b, { args: ['i', 'ns', 'k', { v: 1 }, true] }));
console.log(await post('/kv/get?store=a' + b, { args: ['i', 'ns', 'k'] }));
console.log(await post('/kv/set?store=a' + b, { args: ['i', 'ns', 'k2', null], js: [[[3], 'undefined']] }));
console.log(await post('/kv/deleteNamespace?store=a' + b, { args: ['i', 'ns'] }));
console.log(await post('/kv/nope?store=a' + b, { args: [] }));
console.log(await post('/kv/get?store=a' + b, '{bad'));
console.log(await post('/open?store=b' + b, { args: [{ limits: { maxDepth: 129 } }] }));
}
await mf.dispose();
