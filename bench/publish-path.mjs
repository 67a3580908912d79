// Server CPU per accepted comment on each way a comment comes in, REST single POST
// /rooms/:room/comments, REST batch of 100 (.../comments/batch) and WS COMMENT frames, and
// (path `join`, not run by default) per viewer that connects and JOINs, a join storm's unit:
// `npm run bench:publish-path -- [--runs 3] [--paths single,batch,ws,join] [--scale 1]
// [--connections 4] [--variants direct,express,fastify | --baseline REF]
// [--callgrind-scale 0.125] [--no-callgrind] [--no-build] [--cpu-prof DIR]`.
//
// Each run starts the server as its own process (pinned to core 0), and for each path a
// separate load process (core 1) opens its connections, each with one viewer in its own
// room (for ws the commenting socket is that viewer), so every accepted comment is batched
// and sent to one member: the fan-out stays out of the figure. The load warms the path up,
// then the server's CPU is read from /proc/<pid>/stat around a bounded number of units
// (8,000 POSTs, 800 batch POSTs, 8,000 COMMENT frames, times --scale; one in flight per
// connection; COMMENT_RATE and COMMENT_BURST raised so none is refused) and divided by the
// comments accepted (202s, 100 per batch, ACKs). Runs of the variants are interleaved,
// so background load on a shared machine falls on all of them alike.
// The cross-check that noise cannot move: each variant once under callgrind, counting
// instructions only while each path's measured units run (instrumentation off at start-up
// and warm-up, switched on, zeroed and dumped with callgrind_control), at --callgrind-scale
// of the units after the same warm-up as the timed runs.
//
// Variants: direct = the built server as shipped (express, DIRECT_PUBLISH=true);
// baseline = the same at git ref --baseline REF, built from git (bench/lib/build.mjs), the
// default pair with --baseline being direct,baseline; express = DIRECT_PUBLISH=false (Nest
// router, AdminGuard, ValidationPipe); fastify = the same AppModule on
// @nestjs/platform-fastify (this file with --serve-fastify); floor = a bare node:http and ws
// server that parses each comment and answers it, keeping and sending nothing (this file
// with --serve-floor): the share of a path's cost no change to the project can take away.
// --cpu-prof DIR: each server writes a V8 CPU profile there (node --cpu-prof) when it stops,
// for bench/profile-summary.mjs; one path per invocation keeps a profile to that path.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBaselineBuilt, ensureBuilt } from './lib/build.mjs';
import { median } from './lib/common.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
// bench/.server is run.mjs's private build too (same command); gitignored.
const BUILD = path.join(BENCH, '.server');
const SELF = fileURLToPath(import.meta.url);
const TICKS_PER_SECOND = 100;
// callgrind_control finds a valgrind process by pid, USER and HOST: it runs with this too.
const SERVER_ENV = { PATH: process.env.PATH, NO_COLOR: '1', HOST: '127.0.0.1' };

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};

const VARIANTS = {
  direct: { label: '(a) direct route, express', args: [path.join(BUILD, 'main.js')], env: { DIRECT_PUBLISH: 'true' } },
  express: { label: '(b) Nest controller, express', args: [path.join(BUILD, 'main.js')], env: { DIRECT_PUBLISH: 'false' } },
  fastify: { label: '(c) Nest controller, fastify', args: [SELF, '--serve-fastify'], env: { DIRECT_PUBLISH: 'false' } },
  floor: { label: 'floor: bare node:http and ws', args: [SELF, '--serve-floor'], env: {} },
};


// ---- the fastify server: what main.ts does, on FastifyAdapter --------------------------
async function serveFastify() {
  await import('reflect-metadata');
  const { Logger } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const { AppModule } = await import(path.join(BUILD, 'app.module.js'));
  const { validateConfig } = await import(path.join(BUILD, 'config/validate-config.js'));
  const { DanmakuWsAdapter } = await import(path.join(BUILD, 'gateway/danmaku-ws.adapter.js'));
  const app = await NestFactory.create(AppModule.forConfig(validateConfig(process.env)), new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: ['error', 'warn', 'log'],
    abortOnError: false,
  });
  app.useWebSocketAdapter(new DanmakuWsAdapter(app));
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  const { port } = app.getHttpServer().address();
  Logger.log(`listening on http://127.0.0.1:${port} (ws path /connect)`, 'Danmaku');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

// ---- the floor: what node:http and ws cost with no server behind them ------------------
// Reads each body, parses it and answers what the server would, keeping nothing: the part
// of a path's cost no change to this project can take away.
async function serveFloor() {
  const http = await import('node:http');
  const { WebSocketServer } = await import('ws');
  let seq = 0;
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const count = Array.isArray(body.items) ? body.items.length : 1;
      const json = count > 1 || request.url.endsWith('/batch')
        ? JSON.stringify({ accepted: count, firstSeq: seq + 1, lastSeq: (seq += count) })
        : JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', seq: ++seq });
      response.writeHead(202, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) });
      response.end(json);
    });
  });
  const sockets = new WebSocketServer({ server, path: '/connect', perMessageDeflate: false });
  sockets.on('connection', (socket) =>
    socket.on('message', (data) => {
      const { type, data: message } = JSON.parse(data.toString());
      if (type === 'JOIN') socket.send(JSON.stringify({ type: 'JOINED', data: { room: message.room, seq: 0, online: 1 } }));
      else socket.send(JSON.stringify({ type: 'ACK', data: { cid: message.cid, id: '00000000-0000-4000-8000-000000000000', seq: ++seq } }));
    }),
  );
  server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
  process.on('SIGTERM', () => process.exit(0));
}

// ---- the load process ------------------------------------------------------------------
// Told { port, path, lanes, warmup, units } once; opens its lanes (each with one viewer in
// its own room), runs the warm-up, says 'warm', waits for 'go', runs the measured units and
// says 'done' with what came back.
function loadProcess() {
  process.once('message', async (cfg) => {
    const lanes = await Promise.all(Array.from({ length: cfg.lanes }, (_, i) => openLane(cfg, `bench-${cfg.path}-${i}`)));
    await drive(lanes, cfg.warmup);
    process.send({ phase: 'warm' });
    await new Promise((resolve) => process.once('message', resolve));
    const started = performance.now();
    const result = await drive(lanes, cfg.units);
    process.send({ phase: 'done', ms: performance.now() - started, ...result });
    for (const lane of lanes) lane.close();
    process.disconnect();
  });
}

/** `count` units (POSTs or COMMENT frames) spread over the lanes, each lane with one in flight. */
async function drive(lanes, count) {
  const result = { accepted: 0, statuses: {} };
  let left = count;
  await Promise.all(
    lanes.map(async (lane) => {
      while (left > 0) {
        left--;
        const { status, accepted } = await lane.send();
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        result.accepted += accepted;
      }
    }),
  );
  return result;
}

/**
 * A lane: one keep-alive HTTP connection (single, batch) or one WebSocket (ws), and one
 * viewer in the lane's room, so every accepted comment goes into a batch that is sent to
 * exactly one member: the ingest is measured with a fan-out of one.
 */
async function openLane(cfg, room) {
  if (cfg.path === 'join') return new JoinLane(cfg.port, room);
  if (cfg.path === 'ws') {
    const socket = await openViewer(cfg.port, room);
    return new CommentLane(socket, room);
  }
  const viewer = await openViewer(cfg.port, room);
  const lane = await HttpLane.open(cfg.port, room, cfg.path === 'batch' ? BATCH_ITEMS : 0);
  const close = lane.close.bind(lane);
  lane.close = () => (close(), viewer.close());
  return lane;
}

/** A WebSocket joined to `room` (no compression: the plain frames are the cheap case). */
async function openViewer(port, room) {
  const { WebSocket } = await import('ws');
  const socket = new WebSocket(`ws://127.0.0.1:${port}/connect`, { perMessageDeflate: false });
  await once(socket, 'open');
  socket.send(JSON.stringify({ type: 'JOIN', data: { room } }));
  await new Promise((resolve, reject) =>
    socket.on('message', function joined(data) {
      const message = JSON.parse(data.toString());
      if (message.type === 'JOINED') resolve(socket.off('message', joined));
      else if (message.type === 'ERROR') reject(new Error(`JOIN ${room}: ${data}`));
    }),
  );
  return socket;
}

const BATCH_ITEMS = 100;

class HttpLane {
  static async open(port, room, batchItems) {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new HttpLane(socket, room, batchItems);
  }

  constructor(socket, room, batchItems) {
    this.socket = socket;
    this.batchItems = batchItems;
    this.path = batchItems ? `/rooms/${room}/comments/batch` : `/rooms/${room}/comments`;
    this.sent = 0;
    this.buffer = null;
    this.waiting = null;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.waiting?.(0));
  }

  send() {
    const comment = () => `{"text":"bench comment ${this.sent++}","color":"#ffcc00","mode":"scroll"}`;
    const body = this.batchItems ? `{"items":[${Array.from({ length: this.batchItems }, comment).join(',')}]}` : comment();
    this.socket.write(
      `POST ${this.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return new Promise((resolve) => (this.waiting = resolve)).then((status) => ({
      status,
      accepted: status === 202 ? this.batchItems || 1 : 0,
    }));
  }

  onData(chunk) {
    this.buffer = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.toString('latin1', 0, end);
    const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    this.buffer = null;
    const resolve = this.waiting;
    this.waiting = null;
    resolve(Number(head.slice(9, 12)));
  }

  close() {
    this.socket.destroy();
  }
}

/** COMMENT frames on a socket joined to its room; an ACK is an accepted comment, other frames are read and dropped. */
class CommentLane {
  constructor(socket, room) {
    this.socket = socket;
    this.room = room;
    this.sent = 0;
    this.waiting = null;
    socket.on('message', (data) => {
      const text = data.toString();
      const type = /^\{"type":"(\w+)"/.exec(text)?.[1];
      // PUSH and ONLINE frames come between the answers.
      if ((type !== 'ACK' && type !== 'ERROR') || !this.waiting) return;
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ status: type === 'ERROR' ? `ERROR ${/"code":"(\w+)"/.exec(text)?.[1]}` : type, accepted: type === 'ACK' ? 1 : 0 });
    });
    socket.on('close', () => this.waiting?.({ status: 'closed', accepted: 0 }));
  }

  send() {
    const cid = String(this.sent++);
    this.socket.send(`{"type":"COMMENT","data":{"room":"${this.room}","text":"bench comment ${cid}","color":"#ffcc00","mode":"scroll","cid":"${cid}"}}`);
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close() {
    this.socket.close();
  }
}

/**
 * A join storm's unit, one at a time per lane: a new WebSocket, its upgrade, a JOIN of the
 * lane's room and the JOINED. The sockets stay open (as the joined viewers of a storm do)
 * until the load process ends.
 */
class JoinLane {
  constructor(port, room) {
    this.port = port;
    this.room = room;
    this.sockets = [];
  }

  async send() {
    const socket = await openViewer(this.port, this.room);
    this.sockets.push(socket);
    return { status: 'JOINED', accepted: 1 };
  }

  close() {
    for (const socket of this.sockets) socket.terminate();
  }
}

// ---- the runner ------------------------------------------------------------------------
/** What one measured unit is on each path, and its defaults (units measured, warm-up units). */
const PATHS = {
  single: { label: 'REST single', unit: 'POSTs', units: 8000, warmup: 3000 },
  batch: { label: `REST batch (${BATCH_ITEMS})`, unit: 'batch POSTs', units: 800, warmup: 300 },
  ws: { label: 'WS COMMENT', unit: 'COMMENT frames', units: 8000, warmup: 3000 },
  // Not a comment: a viewer's connect, upgrade and JOIN, the unit of a join storm.
  join: { label: 'WS connect + JOIN (per viewer)', unit: 'connections joined', units: 4000, warmup: 1000 },
};

async function runner() {
  const runs = Number(opt('runs', 3));
  const lanes = Number(opt('connections', 4));
  const scale = Number(opt('scale', 1));
  const callgrindScale = flag('no-callgrind') ? 0 : Number(opt('callgrind-scale', 0.125));
  const baseline = opt('baseline', undefined);
  const paths = opt('paths', 'single,batch,ws').split(',');
  for (const name of paths) if (!PATHS[name]) throw new Error(`unknown path ${name} (single, batch, ws, join)`);
  const names = opt('variants', baseline ? 'direct,baseline' : 'direct,express,fastify').split(',');
  if (!flag('no-build')) ensureBuilt(ROOT, BUILD, log);
  if (names.includes('baseline')) {
    if (!baseline) throw new Error('the baseline variant needs --baseline REF');
    const { sha, main } = ensureBaselineBuilt(ROOT, baseline, path.join(BENCH, '.baseline-server'), log);
    VARIANTS.baseline = { label: `direct route, ${baseline} (${sha.slice(0, 7)})`, args: [main], env: { DIRECT_PUBLISH: 'true' } };
  }
  // The warm-up is --scale's under callgrind too: the JIT tiers functions up by how often
  // they ran, so a shorter one would count instructions of code not yet optimized.
  const plan = (name, factor) => ({
    path: name,
    lanes,
    warmup: Math.max(1, Math.round(PATHS[name].warmup * scale)),
    units: Math.max(1, Math.round(PATHS[name].units * factor)),
  });
  log(
    `${runs} runs × ${names.join(', ')}; ${lanes} connections, one viewer in each connection's room; per path: ` +
      paths.map((name) => `${name} ${plan(name, scale).warmup} warm-up + ${plan(name, scale).units} measured ${PATHS[name].unit}`).join('; '),
  );

  const samples = {};
  for (let run = 1; run <= runs; run++) {
    for (const name of names) {
      const measured = await measure(name, paths.map((p) => plan(p, scale)));
      for (const sample of measured) {
        (samples[`${name} ${sample.path}`] ??= []).push(sample);
        log(
          `run ${run} ${name} ${sample.path}: ${fmt(sample.totalUs)} µs total, ${fmt(sample.userUs)} µs user per comment, ` +
            `${Math.round(sample.perSecond)} comments/s`,
        );
      }
    }
  }
  const instructions = {};
  if (callgrindScale > 0) {
    for (const name of names) {
      const counted = await countInstructions(name, paths.map((p) => plan(p, callgrindScale)));
      for (const { path: p, perComment } of counted) {
        instructions[`${name} ${p}`] = perComment;
        log(`callgrind ${name} ${p}: ${fmt(perComment)} instructions per comment`);
      }
    }
  }
  report(names, paths, samples, instructions);
}

/**
 * One run of one variant: a fresh server, then each path in turn (its own rooms), each
 * with its warm-up and CPU around its measured units.
 */
async function measure(name, plans) {
  const server = await startServer(name, ['taskset', '-c', '0']);
  try {
    const out = [];
    for (const plan of plans) {
      const load = await startLoad(server.port, plan);
      await load.warm;
      const before = cpuTicks(server.pid);
      load.go();
      const done = await load.done;
      const after = cpuTicks(server.pid);
      expectAllAccepted(name, plan, done);
      const perComment = (ticks) => (ticks / TICKS_PER_SECOND / done.accepted) * 1e6;
      out.push({
        path: plan.path,
        userUs: perComment(after.user - before.user),
        totalUs: perComment(after.user + after.system - before.user - before.system),
        perSecond: (done.accepted / done.ms) * 1000,
      });
    }
    return out;
  } finally {
    await server.stop();
  }
}

/** Instructions per comment on each path, counted by callgrind over the measured units only. */
async function countInstructions(name, plans) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'publish-path-callgrind-'));
  const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/out`];
  // Under valgrind the server runs tens of times slower: admission would take that for
  // overload and refuse, and its sampling timer would fire many more times per comment.
  const server = await startServer(name, valgrind, 600_000, { OVERLOAD_DELAY_MS: '0' });
  try {
    const control = (command) => execFileSync('callgrind_control', [command, String(server.pid)], { env: SERVER_ENV, stdio: 'ignore' });
    const out = [];
    for (const plan of plans) {
      const load = await startLoad(server.port, plan);
      await load.warm;
      control('--instr=on');
      control('--zero');
      load.go();
      const done = await load.done;
      control('--dump');
      control('--instr=off');
      expectAllAccepted(name, plan, done);
      const dumps = readdirSync(dir).filter((file) => file.startsWith('out.'));
      if (dumps.length !== 1) throw new Error(`callgrind wrote ${dumps.length} dumps for ${name} ${plan.path}`);
      const file = path.join(dir, dumps[0]);
      const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(file, 'utf8'));
      rmSync(file);
      out.push({ path: plan.path, perComment: Number(totals[1]) / done.accepted });
    }
    return out;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectAllAccepted(name, plan, done) {
  const expected = plan.units * (plan.path === 'batch' ? BATCH_ITEMS : 1);
  if (done.accepted !== expected) {
    throw new Error(`${name} ${plan.path}: ${done.accepted} of ${expected} comments accepted (${JSON.stringify(done.statuses)})`);
  }
}

/** Starts a variant's server on a free port; resolves once it logs that it listens. */
async function startServer(name, wrapper, timeoutMs = 60_000, env = {}) {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown variant ${name}`);
  const profile = opt('cpu-prof', undefined);
  const nodeArgs = profile ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(profile)] : [];
  const command = [...wrapper, process.execPath, ...nodeArgs, ...variant.args];
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    // No comment is rate-limited: the cost of accepting one is what is measured.
    env: { ...SERVER_ENV, PORT: '0', COMMENT_RATE: '10000', COMMENT_BURST: '10000', ...variant.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit');
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output = (output + chunk).slice(-8000);
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`${name} exited before listening:\n${output}`)));
  });
  return {
    pid: child.pid,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function startLoad(port, plan) {
  const child = spawn('taskset', ['-c', '1', process.execPath, SELF], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
  const message = (phase) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => m.phase === phase && (child.off('message', onMessage), resolve(m));
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`load process exited (${code}) before '${phase}'`)));
    });
  const warm = message('warm');
  const done = message('done');
  child.send({ port, ...plan });
  return { warm, done, go: () => child.send('go') };
}

/** utime and stime of a process, in clock ticks. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

/** One table per path; ratios against the first variant. */
function report(names, paths, samples, instructions) {
  const base = names[0];
  const ratio = (value, ofBase) => (ofBase ? `${(value / ofBase).toFixed(2)}×` : '–');
  const header = ['path', 'variant', 'CPU µs per comment or viewer (median)', `vs ${base}`, 'user µs', `vs ${base}`, 'runs (total µs)', 'comments/s', 'instructions/comment', `vs ${base}`];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const p of paths) {
    const med = (name, key) => median(samples[`${name} ${p}`].map((s) => s[key]));
    for (const name of names) {
      const counted = instructions[`${name} ${p}`];
      const row = [
        PATHS[p].label,
        VARIANTS[name].label,
        fmt(med(name, 'totalUs')),
        ratio(med(name, 'totalUs'), med(base, 'totalUs')),
        fmt(med(name, 'userUs')),
        ratio(med(name, 'userUs'), med(base, 'userUs')),
        samples[`${name} ${p}`].map((s) => fmt(s.totalUs)).join(' / '),
        fmt(med(name, 'perSecond')),
        counted ? fmt(counted) : '–',
        counted ? ratio(counted, instructions[`${base} ${p}`]) : '–',
      ];
      console.log(`| ${row.join(' | ')} |`);
    }
  }
}

function fmt(value) {
  if (value === null || value === undefined) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function log(message) {
  console.error(`[publish-path] ${message}`);
}

// Last, so every constant above is initialized when it runs.
if (flag('serve-fastify')) await serveFastify();
else if (flag('serve-floor')) await serveFloor();
else if (process.send) loadProcess();
else await runner();
