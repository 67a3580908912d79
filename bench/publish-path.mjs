// Server CPU per accepted single-comment POST /rooms/:room/comments, on each way the
// project can answer it: `npm run bench:publish-path -- [--runs 3] [--requests 8000]
// [--warmup 3000] [--connections 4] [--variants direct,express,fastify]
// [--callgrind-requests 1000] [--no-callgrind] [--no-build]`.
//
// Each run starts the server as its own process, lets a separate load process (this file
// with --load) warm it up, then reads the server's CPU from /proc/<pid>/stat around a
// bounded number of keep-alive POSTs (one in flight per connection). Runs of the variants
// are interleaved, so background load on a shared machine falls on all of them alike.
// The cross-check that noise cannot move: each variant once under callgrind, counting
// instructions only while the measured requests run (instrumentation off at start-up and
// warm-up, switched on and dumped with callgrind_control).
//
// Variants: direct = the built server as shipped (express, DIRECT_PUBLISH=true);
// express = the same with DIRECT_PUBLISH=false (Nest router, AdminGuard, ValidationPipe);
// fastify = the same AppModule on @nestjs/platform-fastify (this file with --serve-fastify).
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
};

if (flag('serve-fastify')) await serveFastify();
else if (process.send) loadProcess();
else await runner();

// ---- the fastify server: what main.ts does, on FastifyAdapter --------------------------
async function serveFastify() {
  await import('reflect-metadata');
  const { Logger } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const { AppModule } = await import(path.join(BUILD, 'app.module.js'));
  const { DanmakuWsAdapter } = await import(path.join(BUILD, 'gateway/danmaku-ws.adapter.js'));
  const app = await NestFactory.create(AppModule, new FastifyAdapter({ bodyLimit: 1024 * 1024 }), {
    logger: ['error', 'warn', 'log'],
    abortOnError: false,
  });
  app.useWebSocketAdapter(new DanmakuWsAdapter(app));
  await app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  const { port } = app.getHttpServer().address();
  Logger.log(`listening on http://127.0.0.1:${port} (ws path /connect)`, 'Danmaku');
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
}

// ---- the load process ------------------------------------------------------------------
// Told { port, connections, warmup, requests } once; runs the warm-up, says 'warm', waits
// for 'go', runs the measured requests and says 'done' with what came back.
function loadProcess() {
  process.once('message', async (cfg) => {
    const lanes = await Promise.all(Array.from({ length: cfg.connections }, (_, i) => Lane.open(cfg.port, `bench-${i}`)));
    await drive(lanes, cfg.warmup);
    process.send({ phase: 'warm' });
    await new Promise((resolve) => process.once('message', resolve));
    const started = performance.now();
    const result = await drive(lanes, cfg.requests);
    process.send({ phase: 'done', ms: performance.now() - started, ...result });
    for (const lane of lanes) lane.socket.destroy();
    process.disconnect();
  });
}

/** `count` POSTs spread over the lanes, each lane with one request in flight. */
async function drive(lanes, count) {
  const result = { accepted: 0, statuses: {} };
  let left = count;
  await Promise.all(
    lanes.map(async (lane) => {
      while (left > 0) {
        left--;
        const status = await lane.post();
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (status === 202) result.accepted++;
      }
    }),
  );
  return result;
}

class Lane {
  static async open(port, room) {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new Lane(socket, room);
  }

  constructor(socket, room) {
    this.socket = socket;
    this.path = `/rooms/${room}/comments`;
    this.sent = 0;
    this.buffer = null;
    this.waiting = null;
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('close', () => this.waiting?.(0));
  }

  post() {
    const body = `{"text":"bench comment ${this.sent++}","color":"#ffcc00","mode":"scroll"}`;
    this.socket.write(
      `POST ${this.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    return new Promise((resolve) => (this.waiting = resolve));
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
}

// ---- the runner ------------------------------------------------------------------------
async function runner() {
  const runs = Number(opt('runs', 3));
  const cfg = {
    connections: Number(opt('connections', 4)),
    warmup: Number(opt('warmup', 3000)),
    requests: Number(opt('requests', 8000)),
  };
  const callgrindRequests = flag('no-callgrind') ? 0 : Number(opt('callgrind-requests', 1000));
  const names = opt('variants', 'direct,express,fastify').split(',');
  if (!flag('no-build')) build();
  log(`${runs} runs × ${names.join(', ')}; ${cfg.warmup} warm-up + ${cfg.requests} measured POSTs over ${cfg.connections} connections`);

  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let run = 1; run <= runs; run++) {
    for (const name of names) {
      const sample = await measure(name, cfg);
      samples[name].push(sample);
      log(`run ${run} ${name}: ${fmt(sample.totalUs)} µs total, ${fmt(sample.userUs)} µs user per comment, ${Math.round(sample.perSecond)} req/s`);
    }
  }
  const instructions = {};
  if (callgrindRequests > 0) {
    for (const name of names) {
      instructions[name] = await countInstructions(name, { ...cfg, requests: callgrindRequests });
      log(`callgrind ${name}: ${fmt(instructions[name])} instructions per comment`);
    }
  }
  report(names, samples, instructions);
}

function build() {
  log(`building the project into ${path.relative(ROOT, BUILD)} (tsc -p tsconfig.build.json)`);
  rmSync(BUILD, { recursive: true, force: true });
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILD, '--incremental', 'false', '--declaration', 'false'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  cpSync(path.join(ROOT, 'src/page/public'), path.join(BUILD, 'page/public'), { recursive: true });
}

/** One run of one variant: a fresh server, the warm-up, CPU around the measured requests. */
async function measure(name, cfg) {
  const server = await startServer(name, []);
  try {
    const load = await startLoad(server.port, cfg);
    await load.warm;
    const before = cpuTicks(server.pid);
    load.go();
    const done = await load.done;
    const after = cpuTicks(server.pid);
    expectAllAccepted(name, done, cfg.requests);
    const perComment = (ticks) => (ticks / TICKS_PER_SECOND / done.accepted) * 1e6;
    return {
      userUs: perComment(after.user - before.user),
      totalUs: perComment(after.user + after.system - before.user - before.system),
      perSecond: (done.accepted / done.ms) * 1000,
    };
  } finally {
    await server.stop();
  }
}

/** Instructions per comment, counted by callgrind over the measured requests only. */
async function countInstructions(name, cfg) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'publish-path-callgrind-'));
  const valgrind = ['valgrind', '--tool=callgrind', '--instr-atstart=no', `--callgrind-out-file=${dir}/out`];
  const server = await startServer(name, valgrind, 600_000);
  try {
    const load = await startLoad(server.port, cfg);
    await load.warm;
    const control = (command) => execFileSync('callgrind_control', [command, String(server.pid)], { env: SERVER_ENV, stdio: 'ignore' });
    control('--instr=on');
    control('--zero');
    load.go();
    const done = await load.done;
    control('--dump');
    expectAllAccepted(name, done, cfg.requests);
    const dump = readdirSync(dir).find((file) => file.startsWith('out.'));
    if (!dump) throw new Error(`callgrind wrote no dump for ${name}`);
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(path.join(dir, dump), 'utf8'));
    return Number(totals[1]) / done.accepted;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectAllAccepted(name, done, requests) {
  if (done.accepted !== requests) throw new Error(`${name}: ${done.accepted} of ${requests} accepted (${JSON.stringify(done.statuses)})`);
}

/** Starts a variant's server on a free port; resolves once it logs that it listens. */
async function startServer(name, wrapper, timeoutMs = 60_000) {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown variant ${name}`);
  const command = [...wrapper, process.execPath, ...variant.args];
  const child = spawn(command[0], command.slice(1), {
    cwd: ROOT,
    env: { ...SERVER_ENV, PORT: '0', ...variant.env },
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

function startLoad(port, cfg) {
  const child = fork(SELF, [], { stdio: 'inherit' });
  const message = (phase) =>
    new Promise((resolve, reject) => {
      const onMessage = (m) => m.phase === phase && (child.off('message', onMessage), resolve(m));
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`load process exited (${code}) before '${phase}'`)));
    });
  const warm = message('warm');
  const done = message('done');
  child.send({ port, ...cfg });
  return { warm, done, go: () => child.send('go') };
}

/** utime and stime of a process, in clock ticks. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]), system: Number(fields[12]) };
}

function report(names, samples, instructions) {
  const base = names[0];
  const med = (name, key) => median(samples[name].map((s) => s[key]));
  const rows = names.map((name) => {
    const total = med(name, 'totalUs');
    const ratio = (value, ofBase) => (ofBase ? `${(value / ofBase).toFixed(2)}×` : '–');
    const counted = instructions[name];
    return [
      VARIANTS[name].label,
      fmt(total),
      ratio(total, med(base, 'totalUs')),
      fmt(med(name, 'userUs')),
      samples[name].map((s) => fmt(s.totalUs)).join(' / '),
      fmt(med(name, 'perSecond')),
      counted ? fmt(counted) : '–',
      counted ? ratio(counted, instructions[base]) : '–',
    ];
  });
  const header = ['variant', 'CPU µs/comment (median)', `vs ${base}`, 'user µs/comment', 'runs (total µs)', 'req/s', 'instructions/comment', `vs ${base}`];
  console.log(`\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

function fmt(value) {
  if (value === null || value === undefined) return '–';
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

function log(message) {
  console.error(`[publish-path] ${message}`);
}
