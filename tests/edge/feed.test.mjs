// The live feed of the example worker (examples/worker/src/feed.js) under
// workerd (miniflare) on loopback: one client writes over HTTP while another
// follows the feed through client.js; selectors; a closed socket; the feed
// following a store opened anew; refused upgrades and messages; Workers KV.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'undici';
import { openRemote, remoteStore } from '../../examples/worker/client.js';
import { service } from './service.mjs';
import { upgrade } from './upgrade.mjs';

const TOKEN = 'feed-full-1b9e2c7d4a5f60813c2d4e6f8a0b1c3d';
const READ_TOKEN = 'feed-read-7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29';
const APP = 'https://app.example';
const edge = service({ BOLTKV_TOKEN: TOKEN, BOLTKV_READ_TOKEN: READ_TOKEN, BOLTKV_ALLOWED_ORIGINS: APP });

before(() => edge.start());
after(() => edge.dispose());

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Waits, at most `ms`, until `seen` holds `count` events.
async function heard(seen, count, ms = 5000) {
  for (const deadline = Date.now() + ms; seen.length < count && Date.now() < deadline;) await sleep(10);
  assert.equal(seen.length, count, `events heard: ${JSON.stringify(seen)}`);
}

// A client of the store `store`: a writer (no WebSocket) or a watcher.
const writer = (store) => remoteStore(edge.base, { store, token: TOKEN });

// Follows `selector` on `store` with the read token (watching only reads);
// resolves once the service has taken the selector.
async function watcher(store, selector) {
  const kv = remoteStore(edge.base, { store, token: READ_TOKEN, WebSocket });
  const seen = [];
  const stop = kv.watch(selector, (event) => seen.push(event));
  // A call waits until the service has answered every selector.
  assert.equal((await kv.listInstances()).success, true);
  return { kv, seen, stop };
}

const change = (...changes) => ({ type: 'kvStore.change', origin: 'remote', changes });
const data = (envelope) => {
  assert.equal(envelope.success, true, envelope.error);
  return envelope.data;
};

// The feed's address for `store`.
function feedUrl(store) {
  const url = new URL(`/kv/watch?store=${store}`, edge.base);
  url.protocol = 'ws:';
  return url;
}

// A raw WebSocket on the feed, with the full token, and what it receives.
async function rawFeed(store) {
  const socket = new WebSocket(feedUrl(store), ['boltkv', `bearer.${TOKEN}`]);
  const messages = [];
  socket.addEventListener('message', ({ data: text }) => messages.push(JSON.parse(text)));
  const closed = new Promise((resolve) => socket.addEventListener('close', ({ code, reason }) => resolve({ code, reason })));
  await new Promise((resolve, reject) => {
    socket.addEventListener('open', resolve);
    socket.addEventListener('error', reject);
  });
  return { socket, messages, closed };
}

describe('two clients: one writes over HTTP, the other follows the feed', () => {
  test('each committed batch is one event, in order: sets, a delete, a batch, a deleteNamespace, an expiry', async () => {
    const { seen } = await watcher('two-clients', { instance: 'app' });
    const kv = writer('two-clients');
    const first = data(await kv.set('app', 'ns', 'a', { n: 1 }, true)).record;
    const [app] = data(await kv.listInstances()).instances;
    const second = data(await kv.set('app', 'ns', 'b', 2)).record;
    assert.deepEqual(data(await kv.delete('app', 'ns', 'a')), { deleted: true });
    const { results } = data(await kv.batch([
      { op: 'set', instanceId: 'app', namespace: 'ns', key: 'c', value: 3 },
      { op: 'set', instanceId: 'app', namespace: 'other', key: 'd', value: 4 },
    ]));
    assert.deepEqual(data(await kv.deleteNamespace('app', 'ns')), { deletedCount: 2 });
    const brief = data(await kv.set('app', 'short', 'e', 5, false, { expireIn: 50 })).record;
    const scope = { instanceId: app.id };
    await heard(seen, 7);
    assert.deepEqual(seen, [
      change({ op: 'instance', instance: app }, { op: 'set', record: first }),
      change({ op: 'set', record: second }),
      change({ op: 'delete', ...scope, namespace: 'ns', key: 'a' }),
      change({ op: 'set', record: results[0].record }, { op: 'set', record: results[1].record }),
      change({ op: 'deleteNamespace', ...scope, namespace: 'ns' }),
      change({ op: 'set', record: brief }),
      change({ op: 'expire', ...scope, namespace: 'short', key: 'e' }),
    ]);
  });

  test('each watcher hears only what its selector covers', async () => {
    const namespace = await watcher('selectors', { instance: 'app', namespace: 'a' });
    const prefix = await watcher('selectors', { keyPrefix: 'user:' });
    const kv = writer('selectors');
    const inA = data(await kv.set('app', 'a', 'k', 1, true)).record;
    const userInB = data(await kv.set('app', 'b', 'user:1', 2)).record;
    const userInA = data(await kv.set('app', 'a', 'user:2', 3)).record;
    const [app] = data(await kv.listInstances()).instances;
    await heard(namespace.seen, 2);
    await heard(prefix.seen, 3);
    assert.deepEqual(namespace.seen, [
      change({ op: 'instance', instance: app }, { op: 'set', record: inA }),
      change({ op: 'set', record: userInA }),
    ]);
    assert.deepEqual(prefix.seen, [
      change({ op: 'instance', instance: app }),
      change({ op: 'set', record: userInB }),
      change({ op: 'set', record: userInA }),
    ]);
  });
});

describe('the end of a watch', () => {
  test('closing the socket stops the watch; the object serves on, and a new feed hears later writes', async () => {
    const kv = writer('closing');
    const gone = await watcher('closing', {});
    data(await kv.set('app', 'ns', 'a', 1, true));
    await heard(gone.seen, 1);
    gone.stop();
    assert.deepEqual(await gone.stop.closed, { code: 1000, reason: '', failure: undefined });

    const raw = await rawFeed('closing');
    raw.socket.send(JSON.stringify({ args: [{}] }));
    await heard(raw.messages, 1);
    raw.socket.close(4000, 'leaving');
    assert.deepEqual(await raw.closed, { code: 4000, reason: 'leaving' });

    const later = await watcher('closing', {});
    const b = data(await kv.set('app', 'ns', 'b', 2)).record;
    assert.deepEqual(data(await kv.get('app', 'ns', 'a')), { value: 1, exists: true });
    await heard(later.seen, 1);
    assert.deepEqual(later.seen, [change({ op: 'set', record: b })]);
    assert.equal(gone.seen.length, 1, 'the stopped watch heard nothing more');
  });

  test('a store opened anew (POST /open) keeps the feeds the object holds', async () => {
    const { seen } = await watcher('reopened', { instance: 'app' });
    const kv = await openRemote(edge.base, [{ limits: { maxValueBytes: 4096 } }], { store: 'reopened', token: TOKEN });
    const record = data(await kv.set('app', 'ns', 'k', 'after the open', true)).record;
    await heard(seen, 1);
    assert.deepEqual(seen[0].changes[1], { op: 'set', record });
  });
});

describe('the feed refuses', () => {
  const WRONG = 'The token is not one of this service\'s tokens.';
  const MISSING = 'This service needs a token: send it as "Authorization: Bearer <token>".';

  test('an upgrade without a token or with a wrong one: 401, as every route', async () => {
    const cases = [
      [{}, MISSING, 'Bearer'],
      [{ 'sec-websocket-protocol': 'boltkv' }, MISSING, 'Bearer'],
      [{ 'sec-websocket-protocol': 'boltkv, bearer.not-the-token' }, WRONG, 'Bearer error="invalid_token"'],
      [{ authorization: 'Bearer not-the-token' }, WRONG, 'Bearer error="invalid_token"'],
    ];
    for (const [headers, error, challenge] of cases) {
      const answer = await upgrade(edge.base, '/kv/watch?store=refused', headers);
      assert.equal(answer.status, 401);
      assert.equal(answer.headers['www-authenticate'], challenge);
      assert.deepEqual([answer.envelope.type, answer.envelope.code, answer.envelope.error], ['kvStore.watch', 'UNAUTHORIZED', error]);
    }
    // The client sees a socket that never opened.
    const anonymous = remoteStore(edge.base, { store: 'refused', WebSocket }).watch({}, () => assert.fail('an event'));
    assert.deepEqual(await anonymous.closed, { code: 1006, reason: '', failure: undefined });
  });

  test('a page from an origin not listed, and a request that is not an upgrade', async () => {
    const foreign = await upgrade(edge.base, '/kv/watch?store=refused', { 'sec-websocket-protocol': `boltkv, bearer.${TOKEN}`, origin: 'https://evil.example' });
    assert.deepEqual([foreign.status, foreign.envelope.code, foreign.envelope.error], [403, 'FORBIDDEN',
      'The origin https://evil.example is not listed in BOLTKV_ALLOWED_ORIGINS; the feed accepts pages only from the origins listed there.']);
    for (const method of ['GET', 'POST']) {
      const plain = await fetch(new URL('/kv/watch?store=refused', edge.base), { method, headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(plain.status, 426);
      const { code, error } = await plain.json();
      assert.deepEqual([code, error], ['INVALID_ARGUMENT', 'Open /kv/watch as a WebSocket (GET with Upgrade: websocket).']);
    }
  });

  test('a listed origin is let in, answered with the boltkv protocol and never the token', async () => {
    const socket = new WebSocket(feedUrl('refused'), {
      protocols: ['boltkv', `bearer.${TOKEN}`],
      headers: { origin: APP },
    });
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve);
      socket.addEventListener('error', reject);
    });
    assert.equal(socket.protocol, 'boltkv');
    socket.close();
  });

  test('messages that are not a selector, then not a sync: a failure envelope, then close 1008; the object serves on', async () => {
    const cases = [
      ['{"args": [', 'A feed message must be JSON text.'],
      ['{"args": [{}, {}]}', 'The first message must be { "args": [selector] }, not 2 arguments.'],
      ['{"selector": {}}', 'The request body has unknown members (selector); it takes "args" and optionally "js".'],
      ['{"args": [{"namespace": ""}]}', /namespace must not be empty/],
    ];
    for (const [text, error] of cases) {
      const raw = await rawFeed('refused');
      raw.socket.send(text);
      const { code, reason } = await raw.closed;
      const [failure] = raw.messages;
      assert.deepEqual([raw.messages.length, failure.type, failure.success, failure.code], [1, 'kvStore.watch', false, 'INVALID_ARGUMENT']);
      if (typeof error === 'string') assert.equal(failure.error, error);
      else assert.match(failure.error, error);
      assert.equal(code, 1008);
      assert.ok(`INVALID_ARGUMENT: ${failure.error}`.startsWith(reason), reason);
    }
    const raw = await rawFeed('refused');
    raw.socket.send('{"args": [{}]}');
    raw.socket.send('{"sync": 7}');
    raw.socket.send('{"args": [{}]}');
    const { code } = await raw.closed;
    assert.deepEqual(raw.messages.map((m) => [m.type, m.success, m.data ?? m.sync ?? m.error]), [
      ['kvStore.watch', true, { watching: true }],
      ['boltkv.sync', undefined, 7],
      ['kvStore.watch', false, 'After the selector, the feed takes only { "sync": n }.'],
    ]);
    assert.equal(code, 1008);
    assert.equal(data(await writer('refused').set('app', 'ns', 'k', 1, true)).record.value, 1);
  });

  test('Workers KV: the socket says UNSUPPORTED and closes', async () => {
    const stop = remoteStore(edge.base, { store: 'kv-feed', backend: 'kv', token: TOKEN, WebSocket }).watch({}, () => assert.fail('an event'));
    const { code, reason, failure } = await stop.closed;
    const error = 'Watching needs the Durable Object backend: on Workers KV each isolate hears only its own writes.';
    assert.deepEqual([code, reason, failure.type, failure.code, failure.error], [1008, `UNSUPPORTED: ${error}`, 'kvStore.watch', 'UNSUPPORTED', error]);
  });
});
