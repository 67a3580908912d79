// The REST side the baseline servers share: the project's publish routes (same bodies,
// same answers), /stats and /healthz, on plain node:http. No framework, so a baseline
// is never slower than the project for its HTTP layer.
import { randomBytes } from 'node:crypto';
import http from 'node:http';

const ROUTE = /^\/rooms\/([^/]+)\/comments(\/batch)?$/;

// Ids as the project makes them (src/publish/comment-id.ts), so both send the same bytes.
const ID_PREFIX = randomBytes(12).toString('base64url');
let idCount = 0;

/** An ITEM as the project builds it (PROTOCOL.md section 1), as a JSON string. */
export function makeItem(room, seq, comment, ts) {
  return {
    id: ID_PREFIX + (idCount++).toString(36),
    seq,
    room,
    text: comment.text,
    color: comment.color ?? '#ffffff',
    mode: comment.mode ?? 'scroll',
    ts,
  };
}

/**
 * @param publish (room, comments[]) => { firstSeq, lastSeq }
 * @param stats () => object
 */
export function createRestServer({ publish, stats }) {
  return http.createServer((req, res) => {
    const send = (status, body) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/healthz') return send(200, { status: 'ok' });
    if (req.method === 'GET' && req.url === '/stats') return send(200, { ...stats(), rssBytes: process.memoryUsage.rss() });
    const match = req.method === 'POST' ? ROUTE.exec(req.url) : null;
    if (!match) return send(404, { statusCode: 404, message: 'not found' });
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(400, { statusCode: 400, message: 'bad json' });
      }
      const room = decodeURIComponent(match[1]);
      const comments = match[2] ? body.items : [body];
      if (!Array.isArray(comments) || comments.length === 0 || comments.some((c) => typeof c?.text !== 'string')) {
        return send(400, { statusCode: 400, message: 'text must be a string' });
      }
      const { firstSeq, lastSeq } = publish(room, comments);
      if (match[2]) send(202, { accepted: comments.length, firstSeq, lastSeq });
      else send(202, { id: 'x', seq: lastSeq });
    });
  });
}

/** Parses a client's {type, data} envelope; null when it is not one. */
export function parseEnvelope(data) {
  try {
    const msg = JSON.parse(data.toString());
    return typeof msg?.type === 'string' ? msg : null;
  } catch {
    return null;
  }
}

/** The same accept-queue length as the project's default LISTEN_BACKLOG, so join storms compare like for like. */
const BACKLOG = Number(process.env.LISTEN_BACKLOG ?? 4096);

export function listen(server, name) {
  const port = Number(process.env.PORT ?? 7777);
  server.listen(port, process.env.HOST ?? '127.0.0.1', BACKLOG, () => {
    console.log(`${name} listening on ${port}`);
  });
  const stop = () => {
    server.close();
    setTimeout(() => process.exit(0), 300).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * The control side of the raw-ws baselines (ceiling, naive, ws-deflate), which differ only
 * in how they push: PING, JOIN and LEAVE on a `rooms` map of room -> member array, counted
 * in `stats`. A member is what `member(ws)` returns (the ceiling keeps the raw socket), held
 * in a plain array so a fan-out loop indexes it without an iterator.
 */
export function serveViewers(wss, { rooms, seqs, stats, member = (ws) => ws }) {
  wss.on('connection', (ws) => {
    stats.connections++;
    const self = member(ws);
    const joined = new Set();
    ws.on('message', (data) => {
      const msg = parseEnvelope(data);
      if (!msg) return ws.send('{"type":"ERROR","data":{"code":"BAD_FRAME"}}');
      const room = msg.data?.room;
      if (msg.type === 'PING') ws.send('{"type":"PONG","data":{}}');
      else if (msg.type === 'JOIN' && typeof room === 'string') {
        let list = rooms.get(room);
        if (!list) rooms.set(room, (list = []));
        if (!joined.has(room)) list.push(self);
        joined.add(room);
        ws.send(JSON.stringify({ type: 'JOINED', data: { room, seq: seqs.get(room) ?? 0, online: list.length } }));
      } else if (msg.type === 'LEAVE' && typeof room === 'string') {
        if (joined.delete(room)) removeMember(rooms.get(room), self);
        ws.send(JSON.stringify({ type: 'LEFT', data: { room } }));
      }
    });
    ws.on('close', () => {
      stats.connections--;
      for (const room of joined) removeMember(rooms.get(room), self);
    });
  });
}

/** Swap-remove: order within a room does not matter, and leaving is rare. */
function removeMember(list, member) {
  const i = list.indexOf(member);
  if (i < 0) return;
  list[i] = list[list.length - 1];
  list.pop();
}
