// Who the example worker lets in and what it reads, under workerd
// (miniflare) on loopback: every route without a token, with a wrong one,
// with the read token and with the full one; the token a WebSocket offers as
// a subprotocol; bodies over the limit, declared or streamed; CORS
// preflights; and the service with no token set, with anonymous access, and
// with settings it cannot use.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { openRemote } from '../../examples/worker/client.js';
import { VARS } from '../../examples/worker/local.mjs';
import { METHODS } from '../js/conformance/support.js';
import { service } from './service.mjs';
import { upgrade } from './upgrade.mjs';

const TOKEN = 'full-6f1c2a9e4b7d3085c1e2f4a6b8d0c3e5';
const READ_TOKEN = 'read-0a9b8c7d6e5f40312a3b4c5d6e7f8091';
const APP = 'https://app.example';
const DEV = 'http://localhost:5173';
const DEFAULT_LIMIT = 1024 * 1024 + 64 * 1024;

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const MISSING = 'This service needs a token: send it as "Authorization: Bearer <token>".';
const WRONG = 'The token is not one of this service\'s tokens.';
const MALFORMED = 'The Authorization header must be "Bearer <token>".';
const NO_TOKEN_SET = 'No token is set, and this service never runs open: set one with `wrangler secret put BOLTKV_TOKEN` '
  + '(or, for local development only, set the var BOLTKV_ALLOW_ANONYMOUS to "true").';
const tooLarge = (limit) => `The request body is over the limit of ${limit} bytes (BOLTKV_MAX_BODY_BYTES).`;
const readOnly = (operation) => `This token may only read; ${operation} needs the full token (BOLTKV_TOKEN).`;

// Every route: each method, /open, and paths with nothing, with the type of
// the envelopes they answer.
const ROUTES = [
  ...METHODS.map((method) => [`/kv/${method}`, `kvStore.${method}`]),
  ['/open', 'boltkv.open'],
  ['/kv/drop', 'boltkv.http'],
  ['/admin', 'boltkv.http'],
];
const WRITES = ['createInstance', 'updateInstance', 'deleteInstance', 'set', 'delete', 'deleteNamespace', 'batch', 'import'];

// A service under test, started before the tests of the describe it is
// made in and disposed of after them.
function running(bindings) {
  const edge = service(bindings);
  before(() => edge.start());
  after(() => edge.dispose());
  return edge;
}

// POSTs (or sends `method`) to `path` with a JSON body and, if given, the token.
function send(edge, path, { token, method = 'POST', headers = {}, body = '{"args":[]}' } = {}) {
  const all = { 'content-type': 'application/json', ...headers };
  if (token !== undefined) all.authorization = `Bearer ${token}`;
  return fetch(new URL(path, edge.base), { method, headers: all, body: method === 'GET' ? undefined : body });
}

// The code of each refusal the service makes on its own, by HTTP status
// (README of examples/worker).
const CODES = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'INVALID_ARGUMENT', 413: 'TOO_LARGE', 415: 'INVALID_ARGUMENT', 503: 'STORAGE_UNAVAILABLE' };

// Checks a refused answer: its status, the headers named in `headers` (null
// for absent), and the whole envelope, whose code is the status's unless
// `code` names another.
async function refused(response, { status, type, error, code = CODES[status], headers = {} }) {
  assert.equal(response.status, status);
  assert.equal(response.headers.get('content-type'), 'application/json');
  for (const [name, value] of Object.entries(headers)) assert.equal(response.headers.get(name), value, name);
  const { timestamp, requestId, ...rest } = await response.json();
  assert.match(timestamp, ISO_MS);
  assert.match(requestId, UUID);
  assert.deepEqual(rest, { type, success: false, error, code });
}

// A successful call's data.
async function data(response, type) {
  assert.equal(response.status, 200);
  const envelope = await response.json();
  assert.equal(envelope.type, type);
  assert.equal(envelope.success, true, envelope.error);
  return envelope.data;
}

// Sends a raw request with node:http, writing `chunks` of the body but never
// ending it, and resolves with the answer's status and envelope: the answer
// can only come from a service that stopped reading before the body's end.
function unfinished(edge, path, headers, chunks) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, edge.base), { method: 'POST', headers });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (part) => (text += part));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, envelope: JSON.parse(text) });
      });
    });
    for (const chunk of chunks) req.write(chunk);
  });
}

describe('tokens', () => {
  const edge = running({ BOLTKV_TOKEN: TOKEN, BOLTKV_READ_TOKEN: READ_TOKEN });

  test('every route without a token answers 401 with WWW-Authenticate: Bearer, for POST and GET alike', async () => {
    for (const [path, type] of ROUTES) {
      for (const method of ['POST', 'GET']) {
        await refused(await send(edge, path, { method }), {
          status: 401, type, error: MISSING, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer' },
        });
      }
    }
  });

  test('every route with a wrong token answers 401 invalid_token', async () => {
    for (const [path, type] of ROUTES) {
      await refused(await send(edge, path, { token: 'not-the-token' }), {
        status: 401, type, error: WRONG, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
  });

  test('tokens one character off, a prefix or an extension of a real one, are wrong', async () => {
    const lastChanged = (token) => token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
    for (const token of [lastChanged(TOKEN), lastChanged(READ_TOKEN), TOKEN.slice(0, -1), `${TOKEN}0`, TOKEN.toUpperCase(), `${TOKEN},${READ_TOKEN}`]) {
      await refused(await send(edge, '/kv/listInstances', { token }), {
        status: 401, type: 'kvStore.listInstances', error: WRONG, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      });
    }
  });

  test('an Authorization header that is not "Bearer <token>" answers 401', async () => {
    for (const authorization of [`Basic ${btoa(`user:${TOKEN}`)}`, 'Bearer', 'Bearer ', TOKEN, `Bearer ${TOKEN} ${TOKEN}`]) {
      await refused(await send(edge, '/kv/listInstances', { headers: { authorization } }), {
        status: 401, type: 'kvStore.listInstances', error: MALFORMED, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer' },
      });
    }
    // The scheme is case-insensitive (RFC 7235).
    assert.deepEqual(await data(await send(edge, '/kv/listInstances', { headers: { authorization: `bearer ${TOKEN}` } }), 'kvStore.listInstances'), { instances: [] });
  });

  test('the full token calls every method and /open; the read token reads the same data and is refused every write', async () => {
    const store = '?store=routes';
    const call = (method, args, token = TOKEN) => send(edge, `/kv/${method}${store}`, { token, body: JSON.stringify({ args }) });

    assert.equal((await data(await call('createInstance', ['app', 'described']), 'kvStore.createInstance')).instance.name, 'app');
    assert.equal((await data(await call('createInstance', ['spare']), 'kvStore.createInstance')).instance.name, 'spare');
    assert.deepEqual((await data(await call('set', ['app', 'ns', 'k', { n: 1 }]), 'kvStore.set')).record.value, { n: 1 });
    assert.equal((await data(await call('set', ['app', 'other', 'x', 2]), 'kvStore.set')).record.value, 2);
    assert.equal((await data(await call('updateInstance', ['app', { description: 'changed' }]), 'kvStore.updateInstance')).instance.description, 'changed');
    assert.deepEqual(await data(await call('delete', ['app', 'ns', 'absent']), 'kvStore.delete'), { deleted: false });
    assert.deepEqual(await data(await call('deleteNamespace', ['app', 'other']), 'kvStore.deleteNamespace'), { deletedCount: 1 });
    assert.deepEqual(await data(await call('deleteInstance', ['spare']), 'kvStore.deleteInstance'), { deleted: true });

    const reads = [
      ['get', ['app', 'ns', 'k']],
      ['getInstance', ['app']],
      ['listInstances', []],
      ['query', [{ from: { instance: 'app' } }]],
      ['getNamespaces', ['app']],
      ['getRecordCount', ['app']],
      ['getMany', [[{ instanceId: 'app', namespace: 'ns', key: 'k' }]]],
    ];
    for (const [method, args] of reads) {
      const full = await data(await call(method, args), `kvStore.${method}`);
      assert.deepEqual(await data(await call(method, args, READ_TOKEN), `kvStore.${method}`), full, method);
    }
    assert.deepEqual(await data(await call('get', ['app', 'ns', 'k'], READ_TOKEN), 'kvStore.get'), { value: { n: 1 }, exists: true });
    assert.deepEqual(await data(await call('getRecordCount', ['app'], READ_TOKEN), 'kvStore.getRecordCount'), { count: 1 });
    // An export's header says when it was made; the lines after it are the data.
    const exported = async (token) => (await data(await call('export', [{ instance: 'app' }], token), 'kvStore.export')).text.split('\n').slice(1);
    assert.deepEqual(await exported(READ_TOKEN), await exported(TOKEN));
    assert.equal((await exported(READ_TOKEN)).length, 3, 'the instance, its record and the last newline');

    const writes = {
      createInstance: ['intruder'],
      updateInstance: ['app', { description: 'defaced' }],
      deleteInstance: ['app'],
      set: ['app', 'ns', 'k', 'overwritten'],
      delete: ['app', 'ns', 'k'],
      deleteNamespace: ['app', 'ns'],
      batch: [[{ op: 'delete', instanceId: 'app', namespace: 'ns', key: 'k' }]],
      import: ['{"format":"boltkv-export","version":1,"exportedAt":"2026-01-01T00:00:00.000Z"}', { mode: 'replace' }],
    };
    assert.deepEqual(Object.keys(writes).sort(), [...WRITES].sort());
    for (const [method, args] of Object.entries(writes)) {
      await refused(await call(method, args, READ_TOKEN), {
        status: 403, type: `kvStore.${method}`, error: readOnly(method), code: 'FORBIDDEN',
        headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
      });
    }
    for (const backend of ['durableObject', 'kv']) {
      await refused(await send(edge, `/open${store}&backend=${backend}`, { token: READ_TOKEN, body: '{"args":[{"limits":{"maxValueBytes":1}}]}' }), {
        status: 403, type: 'boltkv.open', error: readOnly('open'), code: 'FORBIDDEN', headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
      });
    }
    // Nothing the read token sent was applied.
    assert.deepEqual((await data(await call('listInstances', []), 'kvStore.listInstances')).instances.map((i) => [i.name, i.description]), [['app', 'changed']]);
    assert.deepEqual(await data(await call('get', ['app', 'ns', 'k']), 'kvStore.get'), { value: { n: 1 }, exists: true });

    assert.deepEqual(await (await send(edge, `/open${store}`, { token: TOKEN })).json(), {
      type: 'boltkv.open', success: true, storage: { backend: 'durableObject', name: 'store', skipped: [] }, maxBodyBytes: DEFAULT_LIMIT,
    });
    for (const token of [TOKEN, READ_TOKEN]) {
      await refused(await send(edge, '/kv/drop', { token }), {
        status: 404, type: 'boltkv.http', error: `Unknown method "drop"; the methods are ${METHODS.join(', ')}.`,
      });
      await refused(await send(edge, '/admin', { token }), {
        status: 404, type: 'boltkv.http', error: 'There is nothing at /admin; call POST /kv/<method> or POST /open.',
      });
    }
  });

  test('a method other than POST answers 405 with Allow, once the token is right', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      await refused(await send(edge, '/kv/get', { token: TOKEN, method }), {
        status: 405, type: 'kvStore.get', error: `Use POST, not ${method}.`, headers: { allow: 'POST, OPTIONS' },
      });
    }
  });

  describe('a WebSocket upgrade offers the token as a subprotocol', () => {
    test('the full token is let in (and then refused the GET), the read token only to read, others not at all', async () => {
      const cases = [
        ['/kv/get', `boltkv, bearer.${TOKEN}`, 405, undefined],
        ['/kv/set', `bearer.${TOKEN}, boltkv`, 405, undefined],
        ['/kv/get', `boltkv, bearer.${READ_TOKEN}`, 405, undefined],
        ['/kv/set', `boltkv, bearer.${READ_TOKEN}`, 403, 'Bearer error="insufficient_scope"'],
        ['/kv/get', `boltkv, bearer.${TOKEN.slice(0, -1)}`, 401, 'Bearer error="invalid_token"'],
        ['/kv/get', 'boltkv, bearer.', 401, 'Bearer'],
        ['/kv/get', 'boltkv', 401, 'Bearer'],
      ];
      for (const [path, protocols, status, challenge] of cases) {
        const answer = await upgrade(edge.base, path, { 'sec-websocket-protocol': protocols });
        assert.deepEqual([answer.status, answer.headers['www-authenticate']], [status, challenge], protocols);
        assert.equal(answer.envelope.success, false);
      }
    });

    test('a subprotocol token on a request that is not an upgrade is not a token', async () => {
      await refused(await send(edge, '/kv/listInstances', { headers: { 'sec-websocket-protocol': `bearer.${TOKEN}` } }), {
        status: 401, type: 'kvStore.listInstances', error: MISSING, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer' },
      });
    });
  });
});

describe('body limit', () => {
  const edge = running({ BOLTKV_TOKEN: TOKEN });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  // A set whose body is exactly `size` bytes.
  const setBody = (size) => {
    const frame = JSON.stringify({ args: ['app', 'ns', 'big', ''] });
    return `${frame.slice(0, -3)}${'a'.repeat(size - frame.length)}"]}`;
  };

  test('by default a body may be the store\'s maxValueBytes plus 64 KiB: exactly that reaches the store, one byte more is 413', async () => {
    assert.equal(setBody(DEFAULT_LIMIT).length, DEFAULT_LIMIT);
    const atLimit = await send(edge, '/kv/set', { token: TOKEN, body: setBody(DEFAULT_LIMIT) });
    assert.equal(atLimit.status, 200);
    const envelope = await atLimit.json();
    assert.deepEqual([envelope.type, envelope.success], ['kvStore.set', false], 'the store itself refuses a value over 1 MiB');
    await refused(await send(edge, '/kv/set', { token: TOKEN, body: setBody(DEFAULT_LIMIT + 1) }), {
      status: 413, type: 'kvStore.set', error: tooLarge(DEFAULT_LIMIT),
    });
  });

  test('a declared Content-Length over the limit is answered before the body is sent', async () => {
    const answer = await unfinished(edge, '/kv/set', { ...headers, 'content-length': String(1024 ** 3) }, ['{"args":["app",']);
    assert.equal(answer.status, 413);
    assert.deepEqual([answer.envelope.type, answer.envelope.error, answer.envelope.code], ['kvStore.set', tooLarge(DEFAULT_LIMIT), 'TOO_LARGE']);
  });

  test('a streamed body without a length is cut off as soon as it passes the limit', async () => {
    const chunk = 'a'.repeat(64 * 1024);
    const chunks = ['{"args":["app","ns","k","', ...Array.from({ length: Math.ceil(DEFAULT_LIMIT / chunk.length) }, () => chunk)];
    const answer = await unfinished(edge, '/kv/set', { ...headers, 'transfer-encoding': 'chunked' }, chunks);
    assert.equal(answer.status, 413);
    assert.deepEqual([answer.envelope.type, answer.envelope.error, answer.envelope.code], ['kvStore.set', tooLarge(DEFAULT_LIMIT), 'TOO_LARGE']);
  });

  describe('BOLTKV_MAX_BODY_BYTES', () => {
    const small = running({ BOLTKV_TOKEN: TOKEN, BOLTKV_MAX_BODY_BYTES: '300' });

    test('sets the limit, on both backends', async () => {
      for (const backend of ['durableObject', 'kv']) {
        const path = `/kv/set?store=small&backend=${backend}`;
        const set = await data(await send(small, path, { token: TOKEN, body: JSON.stringify({ args: ['app', 'ns', 'k', 'v', true] }) }), 'kvStore.set');
        assert.equal(set.record.value, 'v');
        assert.equal((await send(small, path, { token: TOKEN, body: setBody(300) })).status, 200);
        await refused(await send(small, path, { token: TOKEN, body: setBody(301) }), { status: 413, type: 'kvStore.set', error: tooLarge(300) });
      }
    });

    test('/open tells the limit, and client.js refuses a call over it without sending it', async () => {
      for (const backend of ['durableObject', 'kv']) {
        const kv = await openRemote(small.base, [], { store: `client-${backend}`, backend, token: TOKEN });
        assert.equal((await kv.set('app', 'ns', 'fits', 'v', true)).success, true);
        const { timestamp, requestId, ...over } = await kv.set('app', 'ns', 'over', 'a'.repeat(300));
        assert.match(timestamp, ISO_MS);
        assert.match(requestId, UUID);
        assert.deepEqual(over, {
          type: 'kvStore.set', success: false, error: 'The request body is over the limit of 300 bytes (BOLTKV_MAX_BODY_BYTES); it was not sent.', code: 'TOO_LARGE',
        });
        assert.deepEqual((await kv.query({ from: { instance: 'app' } })).data.result.records.map((r) => r.key), ['fits']);
      }
    });
  });
});

describe('CORS', () => {
  const edge = running({ BOLTKV_TOKEN: TOKEN, BOLTKV_ALLOWED_ORIGINS: ` ${APP},${DEV} ` });
  const preflight = (origin) => fetch(new URL('/kv/set', edge.base), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
  const CORS_HEADERS = ['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'access-control-max-age', 'vary'];
  const corsHeaders = (response) => Object.fromEntries(CORS_HEADERS.map((name) => [name, response.headers.get(name)]));

  test('a preflight from a listed origin answers 204 with the methods and headers a call may send', async () => {
    for (const origin of [APP, DEV]) {
      const response = await preflight(origin);
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      assert.deepEqual(corsHeaders(response), {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '86400',
        vary: 'Origin',
      });
    }
  });

  test('a preflight from any other origin, or without one, answers 403 with no CORS headers', async () => {
    for (const origin of ['https://evil.example', `${APP}.evil.example`, 'http://app.example', 'null']) {
      const response = await preflight(origin);
      assert.deepEqual(corsHeaders(response), Object.fromEntries(CORS_HEADERS.map((name) => [name, null])));
      await refused(response, {
        status: 403, type: 'kvStore.set', code: 'FORBIDDEN',
        error: `The origin ${origin} is not listed in BOLTKV_ALLOWED_ORIGINS; the service answers preflights only from the origins listed there.`,
      });
    }
    await refused(await fetch(new URL('/kv/set', edge.base), { method: 'OPTIONS' }), {
      status: 403, type: 'kvStore.set', code: 'FORBIDDEN',
      error: 'This OPTIONS request has no Origin; the service answers preflights only from the origins listed there.',
      headers: { 'access-control-allow-origin': null },
    });
  });

  test('answers to a listed origin carry Access-Control-Allow-Origin, refusals included; others carry none', async () => {
    const listed = await send(edge, '/kv/listInstances', { token: TOKEN, headers: { origin: APP } });
    assert.deepEqual(corsHeaders(listed), { ...Object.fromEntries(CORS_HEADERS.map((name) => [name, null])), 'access-control-allow-origin': APP, vary: 'Origin' });
    assert.deepEqual(await data(listed, 'kvStore.listInstances'), { instances: [] });

    const unauthenticated = await send(edge, '/kv/listInstances', { headers: { origin: DEV } });
    assert.equal(unauthenticated.headers.get('access-control-allow-origin'), DEV);
    await refused(unauthenticated, { status: 401, type: 'kvStore.listInstances', error: MISSING, code: 'UNAUTHORIZED', headers: { vary: 'Origin' } });

    for (const headers of [{ origin: 'https://evil.example' }, {}]) {
      const other = await send(edge, '/kv/listInstances', { token: TOKEN, headers });
      assert.deepEqual(corsHeaders(other), Object.fromEntries(CORS_HEADERS.map((name) => [name, null])));
      assert.deepEqual(await data(other, 'kvStore.listInstances'), { instances: [] });
    }
  });
});

describe('no token set', () => {
  const edge = running({});

  test('every route answers 503 saying how to set one, whatever token is sent', async () => {
    for (const [path, type] of ROUTES) {
      for (const token of [undefined, TOKEN]) {
        await refused(await send(edge, path, { token }), { status: 503, type, error: NO_TOKEN_SET, headers: { 'www-authenticate': null } });
      }
    }
  });

  describe('with only a read token, or BOLTKV_ALLOW_ANONYMOUS other than "true"', () => {
    for (const bindings of [{ BOLTKV_READ_TOKEN: READ_TOKEN }, { BOLTKV_ALLOW_ANONYMOUS: 'yes' }, { BOLTKV_ALLOW_ANONYMOUS: 'TRUE' }]) {
      describe(JSON.stringify(bindings), () => {
        const other = running(bindings);
        test('the service still answers 503', async () => {
          await refused(await send(other, '/kv/listInstances', { token: READ_TOKEN }), { status: 503, type: 'kvStore.listInstances', error: NO_TOKEN_SET });
        });
      });
    }
  });
});

describe('BOLTKV_ALLOW_ANONYMOUS = "true"', () => {
  const open = running({ BOLTKV_ALLOW_ANONYMOUS: 'true' });
  const tokened = running({ BOLTKV_ALLOW_ANONYMOUS: 'true', BOLTKV_TOKEN: TOKEN });

  test('without a token set, anyone calls every method and /open', async () => {
    const call = (method, args) => send(open, `/kv/${method}?store=anonymous`, { body: JSON.stringify({ args }) });
    assert.equal((await data(await call('set', ['app', 'ns', 'k', 1, true]), 'kvStore.set')).record.value, 1);
    assert.deepEqual(await data(await call('get', ['app', 'ns', 'k']), 'kvStore.get'), { value: 1, exists: true });
    assert.deepEqual(await data(await call('deleteInstance', ['app']), 'kvStore.deleteInstance'), { deleted: true });
    assert.deepEqual(await (await send(open, '/open?store=anonymous')).json(), {
      type: 'boltkv.open', success: true, storage: { backend: 'durableObject', name: 'store', skipped: [] }, maxBodyBytes: DEFAULT_LIMIT,
    });
  });

  test('with a token set, the token is still required', async () => {
    await refused(await send(tokened, '/kv/listInstances'), {
      status: 401, type: 'kvStore.listInstances', error: MISSING, code: 'UNAUTHORIZED', headers: { 'www-authenticate': 'Bearer' },
    });
    assert.deepEqual(await data(await send(tokened, '/kv/listInstances', { token: TOKEN }), 'kvStore.listInstances'), { instances: [] });
  });
});

describe('settings the service cannot use answer 503 on every request', () => {
  const cases = [
    [{ BOLTKV_MAX_BODY_BYTES: '1.5e6' }, 'BOLTKV_MAX_BODY_BYTES must be a whole number of bytes, at least 1, not "1.5e6".'],
    [{ BOLTKV_MAX_BODY_BYTES: '0' }, 'BOLTKV_MAX_BODY_BYTES must be a whole number of bytes, at least 1, not "0".'],
    [{ BOLTKV_ALLOWED_ORIGINS: `${APP}/` }, `BOLTKV_ALLOWED_ORIGINS lists "${APP}/", which is not an origin such as https://app.example.com (a scheme, a host, a port if not the default, nothing after).`],
  ];
  for (const [bindings, why] of cases) {
    describe(JSON.stringify(bindings), () => {
      const edge = running({ BOLTKV_TOKEN: TOKEN, ...bindings });
      test('refused with the reason', async () => {
        await refused(await send(edge, '/kv/listInstances', { token: TOKEN }), {
          status: 503, type: 'kvStore.listInstances', error: `The service is misconfigured: ${why}`,
        });
      });
    });
  }
});

test('wrangler.toml sets the vars the local runs use, with safe defaults, and no token', () => {
  const toml = readFileSync(new URL('../../examples/worker/wrangler.toml', import.meta.url), 'utf8');
  const section = toml.split(/^\[vars\]$/m)[1].split(/^\[/m)[0];
  const vars = Object.fromEntries([...section.matchAll(/^(\w+) = "([^"]*)"/gm)].map(([, name, value]) => [name, value]));
  assert.deepEqual(vars, VARS);
  assert.deepEqual(vars, { BOLTKV_ALLOWED_ORIGINS: '', BOLTKV_ALLOW_ANONYMOUS: 'false' });
  assert.doesNotMatch(toml, /^\s*BOLTKV_(READ_)?TOKEN\s*=/m);
});
