// A WebSocket upgrade sent by hand (node:http), for answers a WebSocket
// client hides: a refused upgrade's status, headers and envelope.

import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

// The answer to a GET of `path` on `base` asking for a WebSocket, with
// `headers` added (a subprotocol, an origin); rejects if the service accepts.
export function upgrade(base, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...headers,
      },
    });
    req.on('error', reject);
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      reject(new Error('the service accepted a WebSocket'));
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (part) => (text += part));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, envelope: JSON.parse(text) }));
    });
    req.end();
  });
}
