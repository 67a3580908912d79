// Benchmark runner: `npm run bench -- [--quick] [--runs N] [--systems a,b] [--scenarios x,y]
// [--baseline REF] [--profile [--profile-scenarios x,y] [--profile-systems a,b]] [--no-build]`. Starts each server pinned to core 0 and the load generators and
// publisher pinned to core 1 (taskset), runs each scenario to its end, prints a markdown
// table (medians over runs) and appends JSON lines to bench/results/.
// `--scenarios cluster` runs big-room and many-rooms against project (in memory),
// project-redis (1 process, REDIS_URL) and project-cluster (WORKERS=2 + REDIS_URL; the whole
// server tree pinned to cores 0-1, so it shares core 1 with the load generators).
// `--baseline REF` adds project-baseline: the project as of git ref REF (built once per sha
// into bench/.baseline-server/), for a before/after comparison in one invocation.
// project-deflate and ws-deflate (only when asked for) have their viewers offer
// permessage-deflate: the project as is, and a ws server compressing per client.
// `--scenarios soak [--soak-seconds 600] [--soak-viewers 10000] [--soak-rate 200]
// [--soak-sample-seconds 10] [--systems project-redis]` holds viewers in 100 rooms with churn
// (lib/soak-churn.mjs) under steady publishing, samples the server's RSS, heap, active
// resources and Redis memory, and writes a table, a verdict and an SVG plot (lib/soak-report.mjs).
// `--scenarios reconnect [--reconnect-systems project-redis,project]` joins capacity's viewers
// to one room, restarts the server (SIGTERM, 1012, started again on the same port) and times
// their return with the room page's backoff and `JOIN {since, epoch}` (lib/reconnect.mjs).
// Its systems: --reconnect-systems, else the project ones among --systems, else project-redis.
// `--scenarios storm [--storm-seconds 30] [--storm-peak 10000] ...` ramps the comment rate in one
// big room, half REST and half COMMENT, and reports every second (lib/storm.mjs).
// ceiling-stream is the ceiling writing with socket.write instead of the native send loop.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HIST_SIZE,
  SeqSet,
  histMerge,
  histStats,
  median,
  nowMs,
  procSample,
  sleep,
} from './lib/common.mjs';
import { clusterTable } from './lib/cluster-table.mjs';
import { ensureBaselineBuilt, ensureBuilt } from './lib/build.mjs';
import { blindItems } from './lib/deflate-reader.mjs';
import { deflateLabel } from './lib/comparison-table.mjs';
import { flatVerdict, sampleTable, soakChart, verdictTable } from './lib/soak-report.mjs';
import { stormOptions, stormPhase, stormServerEnv, stormTable } from './lib/storm.mjs';
import { reconnectPhase, reconnectTable } from './lib/reconnect.mjs';
import { listenDrops, listenDropsSince } from './lib/listen-drops.mjs';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const RESULTS = path.join(BENCH, 'results');
const SERVER_CORE = '0';
const CLIENT_CORE = '1';
// The runner is load, not server: its per-second polling and bookkeeping (over a second of
// CPU in a storm run) stay off the server's core. Every thread (-a): V8's and libuv's too.
execFileSync('taskset', ['-a', '-p', '-c', CLIENT_CORE, String(process.pid)], { stdio: 'ignore' });
const RSS_CAP = 6 * 1024 ** 3; // a baseline that balloons past this is killed and reported
const PROBES = 100;
const PING_PROBES = 20;

// ---- options ---------------------------------------------------------------------------
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? argv[i + 1] : fallback;
};
const QUICK = flag('quick');
const RUNS = Number(opt('runs', QUICK ? 1 : 3));
const BASELINE = opt('baseline', null);
if (flag('baseline') && (!BASELINE || BASELINE.startsWith('--'))) {
  console.error('--baseline needs a git ref (a commit, tag or branch), e.g. --baseline a160d25');
  process.exit(2);
}
const SYSTEMS = opt('systems', BASELINE ? 'project,project-baseline,ceiling,naive,socketio' : 'project,ceiling,naive,socketio').split(',');
if (SYSTEMS.includes('project-baseline') && !BASELINE) {
  console.error('project-baseline needs --baseline REF');
  process.exit(2);
}
const SOAK = {
  seconds: Number(opt('soak-seconds', 600)),
  viewers: Number(opt('soak-viewers', 10_000)),
  rate: Number(opt('soak-rate', 200)),
  sampleSeconds: Number(opt('soak-sample-seconds', 10)),
  // Items put in every room's history before the viewers come: the server's HISTORY_SIZE
  // (1000 by default), so Redis holds full histories from the start and its memory can be flat.
  history: Number(opt('soak-history', 1000)),
};
// A soak runs against the Redis broker unless told otherwise: it exercises the same rooms,
// batches and sockets as the memory broker, plus the subscriptions that churn makes come and go.
const SOAK_SYSTEMS = flag('systems') ? opt('systems', '').split(',') : ['project-redis'];
const SCENARIOS = (opt('scenarios', QUICK ? 'big-room,many-rooms,flood,capacity' : 'big-room,many-rooms,flood,capacity,maxrate,cluster'))
  .split(',')
  .flatMap((s) => (s === 'cluster' ? ['cluster-big-room', 'cluster-many-rooms'] : [s]))
  .filter((s) => s && s !== 'none');
// Resume without a gap across a restart needs the history in Redis; the in-memory project is
// there to show the gaps it honestly reports.
const RECONNECT_SYSTEMS = opt('reconnect-systems', null)?.split(',') ?? (flag('systems') ? SYSTEMS.filter((s) => s.startsWith('project')) : ['project-redis']);
const REDIS_URL = opt('redis-url', process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
const CLUSTER_SYSTEMS = opt('cluster-systems', 'project,project-redis,project-cluster').split(',');
const PROFILE = flag('profile') || argv.includes('--profile-scenarios');
const TAG = opt('tag', new Date().toISOString().replace(/[:.]/g, '-'));
const JSONL = path.join(RESULTS, `${TAG}.jsonl`);

const SCALE = QUICK
  ? { viewers: 500, capacity: 1000, hold: 1500, duration: 2000, loadgens: 2, phase: 2000, drainMs: 1500, gap: 200, answerWaitMs: 1000, httpMs: 500 }
  : { viewers: 10_000, capacity: 19_500, hold: 60_000, duration: 20_000, loadgens: 4, phase: 8000, drainMs: 10_000, gap: 1000, answerWaitMs: 5000, httpMs: 2000 };

// `--scenarios storm [--storm-seconds 30] [--storm-peak 10000] …`: see lib/storm.mjs.
const STORM = stormOptions(opt, QUICK, flag('systems'), SYSTEMS);

const SCENARIO = {
  'big-room': { rooms: 1, rate: 200, window: 200, duration: SCALE.duration, ping: 100 },
  'many-rooms': { rooms: QUICK ? 20 : 100, rate: 2000, window: 200, duration: SCALE.duration, ping: 100 },
  flood: { rooms: 1, rate: 5000, window: 200, duration: SCALE.duration, ping: 100 },
  capacity: { rooms: 1, rate: 0, window: 200, hold: SCALE.hold, viewers: SCALE.capacity },
  // Same loads as big-room and many-rooms, at a size 2 cores can drive with 3 server variants
  // (--viewers overrides). In --quick only when asked for, and tiny.
  'cluster-big-room': { rooms: 1, rate: 200, window: 200, duration: SCALE.duration, ping: 100, viewers: QUICK ? 300 : 2000, cluster: true },
  'cluster-many-rooms': { rooms: 100, rate: 2000, window: 200, duration: SCALE.duration, ping: 100, viewers: QUICK ? 300 : 2000, cluster: true },
  soak: { rooms: 100, window: 200, soak: true },
  // The load generators hold the viewers that only watch; commenters and quiet probes are viewers too.
  storm: { rooms: 1, window: 200, viewers: STORM.watchers, storm: true, serverEnv: stormServerEnv(STORM) },
  reconnect: { rooms: 1, window: 200, viewers: SCALE.capacity, reconnect: true, history: 20 },
  maxrate: {
    rooms: 1,
    window: 200,
    ladder: QUICK ? [50, 500, 5000] : [1, 2, 5, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000],
    duration: SCALE.phase,
    ping: 0,
  },
};

// ---- process bookkeeping -------------------------------------------------------------
const children = new Set();
function track(child) {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
// node:cluster workers of a WORKERS=2 server: not our direct children, killed by pid.
const workerPids = new Set();
function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
  for (const pid of workerPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));
process.on('uncaughtException', (e) => {
  console.error(e);
  process.exit(1);
});

const log = (...a) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---- servers ---------------------------------------------------------------------------
const SERVER_SCRIPT = {
  project: path.join(BENCH, '.server/main.js'),
  'project-baseline': null, // bench/.baseline-server/<sha>/main.js, once built
  'project-deflate': path.join(BENCH, '.server/main.js'),
  'ws-deflate': path.join(BENCH, 'servers/ws-deflate.mjs'),
  ceiling: path.join(BENCH, 'servers/ceiling.mjs'),
  'ceiling-stream': path.join(BENCH, 'servers/ceiling.mjs'),
  naive: path.join(BENCH, 'servers/naive.mjs'),
  socketio: path.join(BENCH, 'servers/socketio.mjs'),
  'project-stream': path.join(BENCH, '.server/main.js'),
  'project-redis': path.join(BENCH, '.server/main.js'),
  'project-cluster': path.join(BENCH, '.server/main.js'),
};
const MODE = { socketio: 'socketio' }; // every other system speaks the danmaku protocol
/** Systems whose viewers offer permessage-deflate (Sec-WebSocket-Extensions, as browsers send it). */
const DEFLATE = new Set(['project-deflate', 'ws-deflate']);
/** Extra environment and pinning per system. The cluster's tree gets both cores (there are 2). */
const SERVER_SETUP = {
  // The project writing every frame with socket.write, as before the native batch writer.
  'project-stream': () => ({ env: { NATIVE_WRITES: 'false' }, cores: SERVER_CORE, workers: 0 }),
  // The ceiling with socket.write per member, as Node ships it (no native send loop).
  'ceiling-stream': () => ({ env: { CEILING_WRITES: 'stream' }, cores: SERVER_CORE, workers: 0 }),
  'project-redis': () => ({ env: { REDIS_URL, REDIS_PREFIX: redisPrefix() }, cores: SERVER_CORE, workers: 0 }),
  'project-cluster': () => ({ env: { REDIS_URL, REDIS_PREFIX: redisPrefix(), WORKERS: '2' }, cores: '0,1', workers: 2 }),
};
let prefixCounter = 0;
const redisPrefix = () => `bench:${process.pid}:${Date.now()}:${prefixCounter++}:`;

/** Direct children of a process (the node:cluster workers of a primary). */
function childPids(pid) {
  const out = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {}
  return out;
}

/** pid of the redis-server answering on REDIS_URL's port (its CPU is part of "where the time goes"). */
function redisPid() {
  const port = new URL(REDIS_URL).port || '6379';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (/redis-server/.test(cmd) && cmd.includes(`:${port}`)) return Number(entry);
    } catch {}
  }
  return null;
}

/** Deletes a run's keys (best effort; they would expire after 7 days anyway). */
async function dropRedisKeys(prefix) {
  let client;
  try {
    const { Redis } = await import('ioredis');
    client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    await client.connect();
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } catch (error) {
    log(`could not drop Redis keys ${prefix}*: ${error.message}`);
  } finally {
    client?.disconnect();
  }
}

let runCounter = 0;
// A port range of its own per runner process, checked free, so two runners never share a server.
const PORT_BASE = 20_000 + (process.pid % 400) * 40;
function freePort(start) {
  return new Promise((resolve, reject) => {
    const tryPort = (port, left) => {
      const probe = net.createServer();
      probe.once('error', () => (left > 0 ? tryPort(port + 1, left - 1) : reject(new Error('no free port'))));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
    };
    tryPort(start, 200);
  });
}
/**
 * `extraEnv`: the scenario's own settings, over the system's. `setup`: a started server's, to
 * start it again as it was (same Redis prefix).
 */
async function startServer(system, port, window, profileDir, extraEnv = {}, setup = SERVER_SETUP[system]?.() ?? { env: {}, cores: SERVER_CORE, workers: 0 }) {
  const args = ['-c', setup.cores, process.execPath];
  if (profileDir) args.push('--cpu-prof', `--cpu-prof-dir=${profileDir}`);
  args.push(SERVER_SCRIPT[system]);
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    BATCH_WINDOW_MS: String(window),
    BATCH_MAX_ITEMS: '100',
    LOG_LEVEL: 'warn',
    ...setup.env,
    ...extraEnv,
  };
  const child = track(spawn('taskset', args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.exitInfo = null;
  child.on('exit', (code, signal) => (child.exitInfo = { code, signal }));
  const deadline = nowMs() + 30_000;
  while (nowMs() < deadline) {
    if (child.exitInfo) throw new Error(`${system} exited at start: ${stderr}`);
    const workers = setup.workers ? childPids(child.pid) : [];
    for (const pid of workers) workerPids.add(pid);
    if (workers.length >= setup.workers && (await httpGet(port, '/healthz', 1000))?.status === 200) {
      // With workers, every one must answer: a few more health checks (round-robin hand-out).
      for (let i = 0; i < 4 * setup.workers; i++) {
        if ((await httpGet(port, '/healthz', 1000))?.status !== 200) break;
      }
      await sleep(setup.workers ? 1000 : 200);
      if (child.exitInfo) throw new Error(`${system} exited at start: ${stderr}`);
      return { child, pid: child.pid, workers, setup, prefix: setup.env.REDIS_PREFIX ?? null, stderr: () => stderr, profiled: Boolean(profileDir) };
    }
    await sleep(100);
  }
  throw new Error(`${system} did not become healthy: ${stderr}`);
}

async function stopServer(server) {
  if (!server) return;
  // --quick does not wait for a graceful drain; a profiled server must exit cleanly to write its profile.
  server.child.kill(QUICK && !server.profiled ? 'SIGKILL' : 'SIGTERM');
  const deadline = nowMs() + (QUICK ? 1000 : 5000);
  while (!server.child.exitInfo && nowMs() < deadline) await sleep(100);
  if (!server.child.exitInfo) server.child.kill('SIGKILL');
  // Workers outlive a primary killed with SIGKILL: kill whatever is left, by pid.
  for (const pid of server.workers ?? []) {
    try {
      process.kill(pid, 0);
      await sleep(QUICK ? 200 : 1000);
      process.kill(pid, 'SIGKILL');
    } catch {}
    workerPids.delete(pid);
  }
  await sleep(200);
  if (server.prefix) await dropRedisKeys(server.prefix);
}

async function httpGet(port, urlPath, timeoutMs) {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let body = null;
    try {
      body = JSON.parse(text);
    } catch {}
    return { status: res.status, body };
  } catch {
    return null;
  }
}

// ---- load generators -------------------------------------------------------------------
// A fresh source address per load generator and run, and per runner process: a loadgen
// binds its sockets to it, and an address whose ports a recent run left in TIME_WAIT (60 s;
// ours or another runner's) makes every bind search for a free port, which slowed a
// 19,500-viewer connect phase from 5 s to 17 s with the server idle.
const ADDRESS_OFFSET = (process.pid * 97) % 62_500;
function addressFor(slot, run) {
  const k = (ADDRESS_OFFSET + run) % 62_500;
  return `127.${20 + slot}.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

function forkPinned(script, cfg) {
  // fork() under taskset: spawn node through taskset with an IPC channel.
  const child = track(
    spawn('taskset', ['-c', CLIENT_CORE, process.execPath, script, JSON.stringify(cfg)], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  child.waitFor = (cmd, timeoutMs) =>
    new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMsg);
        child.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${path.basename(script)}: no ${cmd} in ${timeoutMs} ms`));
      }, timeoutMs);
      const onMsg = (m) => {
        if (m.cmd !== cmd) return;
        done();
        resolve(m);
      };
      const onExit = () => {
        done();
        reject(new Error(`${path.basename(script)} exited waiting for ${cmd}`));
      };
      child.on('message', onMsg);
      child.on('exit', onExit);
    });
  return child;
}

async function startLoadgens(mode, port, viewers, rooms, run, deflate, extra = {}) {
  const n = viewers > 5000 ? Math.max(SCALE.loadgens, Math.ceil(viewers / 5000)) : SCALE.loadgens;
  const per = Math.ceil(viewers / n);
  const gens = [];
  for (let j = 0; j < n; j++) {
    const firstIndex = j * per;
    const conns = Math.max(0, Math.min(per, viewers - firstIndex));
    const gen = forkPinned(path.join(BENCH, 'loadgen.mjs'), {
      id: j,
      mode,
      port,
      localAddress: addressFor(j, run),
      conns,
      firstIndex,
      viewers,
      rooms,
      probeEvery: Math.max(1, Math.floor(viewers / PROBES)),
      pingProbes: Math.ceil(PING_PROBES / n),
      concurrency: 200,
      connectTimeoutMs: 30_000,
      deflate,
      ...extra,
    });
    gens.push(gen);
  }
  await Promise.all(gens.map((g) => g.waitFor('ready', 10_000)));
  return gens;
}

async function ask(gens, cmd, reply, extra = {}, timeoutMs = 60_000) {
  const waits = gens.map((g) => g.waitFor(reply, timeoutMs));
  for (const g of gens) g.send({ cmd, ...extra });
  return Promise.all(waits);
}

const sum = (list, key) => list.reduce((n, x) => n + (x[key] ?? 0), 0);

function cpuOf(pids, a, b, kind = 'cpu') {
  let cpu = 0;
  for (const pid of pids) {
    if (a[pid] && b[pid]) cpu += b[pid][kind] - a[pid][kind];
  }
  return cpu;
}

/** How the viewers' permessage-deflate offers went, from the load generators' `connected` replies. */
function deflateOutcome(offered, replies) {
  if (!offered) return null;
  const withContext = sum(replies.map((r) => r.deflate), 'withContextTakeover');
  const without = sum(replies.map((r) => r.deflate), 'withoutContextTakeover');
  return { negotiated: withContext + without, contextTakeover: withContext, noContextTakeover: without, header: replies.find((r) => r.deflate.header)?.deflate.header ?? null };
}
/** Busy CPU seconds of the whole machine (all cores), from /proc/stat. */
function machineBusy() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // Every non-idle state, interrupts and softirq included. Loopback TCP work is charged to
  // the processes' system time or to softirq depending on where it ran, so the figure
  // derived from this ("other CPU") is approximate, and clamped at 0.
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / 100;
}
function sampleAll(pids) {
  const out = { machine: { cpu: machineBusy() } };
  for (const pid of pids) out[pid] = procSample(pid);
  return out;
}

/** Waits until the load generators' item count stops moving (bounded). */
async function drain(gens, window, maxMs) {
  const deadline = nowMs() + maxMs;
  await sleep(window + 300);
  let last = -1;
  while (nowMs() < deadline) {
    const snap = await ask(gens, 'snapshot', 'snapshot');
    // Frames too: counting connections with deflate count frames, not items.
    const items = sum(snap, 'items') + sum(snap, 'dataFrames');
    if (items === last) return;
    last = items;
    await sleep(Math.max(500, window * 2));
  }
}

/** Loss on probes: every accepted comment of the probe's room must arrive. */
function probeLoss(reports, pub) {
  const accepted = Object.fromEntries(Object.entries(pub.rooms).map(([room, b64]) => [room, SeqSet.fromBase64(b64)]));
  let expected = 0;
  let lost = 0;
  let reorders = 0;
  let dupes = 0;
  let probesJoined = 0;
  for (const r of reports) {
    for (const probe of r.probes) {
      if (!probe.joined) continue;
      probesJoined++;
      reorders += probe.reorders;
      dupes += probe.dupes;
      const seen = SeqSet.fromBase64(probe.seen);
      const acc = accepted[probe.room];
      if (!acc) continue;
      for (let s = 0; s <= acc.max; s++) {
        if (!acc.bits[s]) continue;
        expected++;
        if (!seen.has(s)) lost++;
      }
    }
  }
  return { expected, lost, reorders, dupes, probesJoined };
}

/** The publisher process of a phase: steady POSTs at `rate` over `rooms`, from its own address. */
function startPublisher({ port, rooms, rate, durationMs, phase, startAt, run }) {
  return forkPinned(path.join(BENCH, 'publisher.mjs'), {
    port,
    rooms,
    rate,
    durationMs,
    phase,
    tickMs: 10,
    connections: 4,
    maxInFlight: 2000,
    answerWaitMs: SCALE.answerWaitMs,
    startAt,
    localAddress: addressFor(40, run),
  });
}

/** One measured publishing phase against already-joined viewers. */
async function publishPhase({ system, server, gens, port, rooms, rate, window, duration, ping, phase, run, viewers }) {
  const startAt = nowMs() + 300;
  const warm = Math.min(2000, duration / 4);
  await ask(gens, 'phase', 'phased', { phase, pingMs: ping, startAt, steadyFrom: startAt + warm });
  const publisher = startPublisher({ port, rooms, rate, durationMs: duration, phase, startAt, run });
  const published = publisher.waitFor('published', duration + 60_000);
  const genPids = gens.map((g) => g.pid);
  // The server is the process plus its node:cluster workers, if any; Redis is measured too.
  const serverPids = [server.pid, ...(server.workers ?? [])];
  const redis = redisPid();
  const extraPids = redis ? [redis] : [];
  const rssSeries = [];
  let killed = null;
  const watcher = setInterval(() => {
    const s = procSample(server.pid);
    if (!s) return;
    rssSeries.push(Math.round(s.rss / 1048576));
    if (s.rss > RSS_CAP && !killed) {
      killed = `killed at RSS ${Math.round(s.rss / 1048576)} MB (cap ${RSS_CAP / 1048576} MB)`;
      server.child.kill('SIGKILL');
    }
  }, 1000);
  const statsBefore = (await httpGet(port, '/stats', SCALE.httpMs))?.body ?? {};
  await sleep(Math.max(0, startAt + warm - nowMs()));
  const snapA = await ask(gens, 'snapshot', 'snapshot');
  const procA = sampleAll([...serverPids, publisher.pid, ...genPids, ...extraPids]);
  await sleep(Math.max(0, startAt + duration - nowMs()));
  const snapB = await ask(gens, 'snapshot', 'snapshot');
  const procB = sampleAll([...serverPids, publisher.pid, ...genPids, ...extraPids]);
  const pub = await published;
  await drain(gens, window, SCALE.drainMs);
  clearInterval(watcher);
  const reports = await ask(gens, 'report', 'report');
  const health = await httpGet(port, '/healthz', SCALE.httpMs);
  const statsAfter = (await httpGet(port, '/stats', SCALE.httpMs))?.body ?? {};

  const dt = (snapB[0].t - snapA[0].t) / 1000;
  // Compressed frames a counting connection did not inflate: items from the room's probes.
  const blind = blindItems(snapA, snapB);
  const items = sum(snapB, 'items') - sum(snapA, 'items') + blind.items;
  const frames = sum(snapB, 'dataFrames') - sum(snapA, 'dataFrames');
  const bytes = sum(snapB, 'bytes') - sum(snapA, 'bytes');
  const serverCpu = cpuOf(serverPids, procA, procB);
  const serverUserCpu = cpuOf(serverPids, procA, procB, 'user');
  const redisCpu = redis ? cpuOf([redis], procA, procB) : null;
  const lat = new Uint32Array(HIST_SIZE);
  const pingHist = new Uint32Array(HIST_SIZE);
  const steady = new Uint32Array(HIST_SIZE);
  const sinceAccept = new Uint32Array(HIST_SIZE);
  const bySecond = new Map();
  for (const r of reports) {
    histMerge(lat, r.latency);
    histMerge(steady, r.steady);
    histMerge(sinceAccept, r.sinceAccept);
    for (const [second, sparse] of r.bySecond) {
      if (!bySecond.has(second)) bySecond.set(second, new Uint32Array(HIST_SIZE));
      histMerge(bySecond.get(second), sparse);
    }
    histMerge(pingHist, r.ping);
  }
  const whole = histStats(lat);
  const l = histStats(steady);
  const p = histStats(pingHist);
  const a = histStats(sinceAccept);
  const { expected, lost, reorders, dupes, probesJoined } = probeLoss(reports, pub);
  const thinned = (statsAfter.thinned ?? 0) - (statsBefore.thinned ?? 0);
  const roomCount = rooms.length;
  const thinnedPerProbe = roomCount === 1 ? thinned : null;
  const serverSample = procB[server.pid];
  const idleRss = server.idleRss;
  return {
    system,
    deliveredPerS: items / dt,
    framesPerS: frames / dt,
    framesPerMemberPerS: frames / dt / viewers,
    itemsPerFrame: frames ? items / frames : 0,
    MBps: bytes / dt / 1e6,
    // WebSocket bytes received (compressed, where deflate was negotiated) per delivered comment.
    bytesPerItem: items ? bytes / items : null,
    blindFrames: blind.blindFrames,
    estimatedItemsPct: items ? (100 * blind.items) / items : 0,
    p50: l.p50,
    p99: l.p99,
    max: l.max,
    latencySamples: l.n,
    // The same over the whole phase, the first (warm-up) seconds included.
    wholeP50: whole.p50,
    wholeP99: whole.p99,
    wholeMax: whole.max,
    acceptP50: a.p50,
    acceptP99: a.p99,
    p99BySecond: [...bySecond].sort((x, y) => x[0] - y[0]).map(([second, hist]) => [second, histStats(hist).p99]),
    pingP50: p.p50,
    pingP99: p.p99,
    pingMax: p.max,
    pingSamples: p.n,
    probesJoined,
    probeExpected: expected,
    probeLost: lost,
    probeLossPct: expected ? (100 * lost) / expected : null,
    unaccountedLost: thinnedPerProbe === null ? lost : Math.max(0, lost - thinnedPerProbe * probesJoined),
    reorders,
    dupes,
    stale: sum(reports, 'stale'),
    attempted: pub.attempted,
    accepted: pub.accepted,
    refusedLocally: pub.refusedLocally,
    httpStatuses: pub.statuses,
    thinned,
    dropped: (statsAfter.dropped ?? 0) - (statsBefore.dropped ?? 0),
    serverCpuPct: (100 * serverCpu) / dt,
    serverCpuUsPerKItem: items ? (1e6 * serverCpu) / (items / 1000) : null,
    serverUserCpuPct: (100 * serverUserCpu) / dt,
    serverUserUsPerKItem: items ? (1e6 * serverUserCpu) / (items / 1000) : null,
    loadgenCpuPct: (100 * cpuOf(genPids, procA, procB)) / dt,
    publisherCpuPct: (100 * cpuOf([publisher.pid], procA, procB)) / dt,
    // CPU used on the machine by anything else (other people's builds and tests): noise.
    // Process time (user + system) only, so loopback softirq work is not counted here.
    foreignCpuPct: Math.max(0, (100 * (procB.machine.cpu - procA.machine.cpu - cpuOf([...serverPids, publisher.pid, ...genPids, ...extraPids], procA, procB))) / dt),
    // The redis-server on REDIS_URL's port (whoever else uses it is counted too).
    redisCpuPct: redisCpu === null ? null : (100 * redisCpu) / dt,
    machineBusyPct: (100 * (procB.machine.cpu - procA.machine.cpu)) / dt,
    serverProcesses: serverPids.length,
    workersCpuPct: serverPids.slice(1).map((pid) => (100 * cpuOf([pid], procA, procB)) / dt),
    rssMB: serverSample ? serverPids.reduce((n, pid) => n + (procB[pid]?.rss ?? 0), 0) / 1048576 : null,
    idleRssMB: idleRss / 1048576,
    kbPerConn: serverSample ? (serverSample.rss - idleRss) / 1024 / viewers : null,
    rssSeriesMB: rssSeries,
    healthz: health?.status ?? null,
    serverAlive: !server.child.exitInfo,
    killed,
    closedAfterJoin: sum(reports, 'closedAfterJoin'),
  };
}

async function runOnce(system, scenarioName, run, { profileDir } = {}) {
  const sc = SCENARIO[scenarioName];
  if (!sc) throw new Error(`unknown scenario ${scenarioName}`);
  const viewers = sc.soak ? SOAK.viewers : Number(opt('viewers', 0)) || (sc.viewers ?? SCALE.viewers);
  const rooms = Array.from({ length: sc.rooms }, (_, i) => (sc.rooms === 1 ? 'big' : `r${i}`));
  const k = runCounter++;
  const port = await freePort(PORT_BASE + (k % 40));
  let server;
  let gens = [];
  const base = { system, scenario: scenarioName, run, quick: QUICK, viewers, rooms: rooms.length, window: sc.window };
  try {
    server = await startServer(system, port, sc.window, profileDir, sc.serverEnv);
    await sleep(QUICK ? 200 : 500);
    server.idleRss = procSample(server.pid).rss;
    if (sc.soak) await prefillHistory(port, rooms, SOAK.history);
    // A reconnect's rooms have a few items, so every viewer's JOINED has a seq to resume from.
    if (sc.reconnect) await prefillHistory(port, rooms, sc.history);
    // A soak's load generators live as long as it does (plus its start and drain).
    const life = sc.soak ? { maxLifeMs: (SOAK.seconds + 900) * 1000 } : sc.reconnect ? { reconnect: true } : {};
    gens = await startLoadgens(MODE[system] ?? 'danmaku', port, viewers, rooms, k, DEFLATE.has(system), life);
    const connectStart = nowMs();
    const dropsBefore = listenDrops();
    const cpuBefore = procSample(server.pid);
    const connected = await ask(gens, 'connect', 'connected', {}, 180_000);
    const connectMs = nowMs() - connectStart;
    const listenOverflows = listenDropsSince(dropsBefore);
    const cpuAfter = procSample(server.pid);
    // Server CPU over the connect phase (one process; a cluster's workers are not in it).
    const connectServerCpuPct = cpuBefore && cpuAfter ? (100 * (cpuAfter.cpu - cpuBefore.cpu)) / (connectMs / 1000) : null;
    const joined = sum(connected, 'joined');
    const connectErrors = sum(connected, 'connectErrors');
    const deflate = deflateOutcome(DEFLATE.has(system), connected);
    const joinHist = new Uint32Array(HIST_SIZE);
    for (const c of connected) histMerge(joinHist, c.joinLatency ?? []);
    const join = histStats(joinHist);
    const connectInfo = { joined, connectErrors, connectMs, connectPerS: joined / (connectMs / 1000), joinP50: join.p50, joinP99: join.p99, joinMax: join.max, listenOverflows, connectServerCpuPct, deflate };
    log(`${system} ${scenarioName} #${run}: ${joined}/${viewers} joined in ${Math.round(connectMs)} ms (join p50 ${join.p50} ms, p99 ${join.p99} ms), ${connectErrors} errors, ${listenOverflows} accept-queue overflows, server CPU ${connectServerCpuPct?.toFixed(0)} %${deflate ? `, deflate ${deflateLabel({ deflate, joined })}` : ''}`);

    if (sc.reconnect) {
      const restart = async () => (server = await startServer(system, port, sc.window, profileDir, sc.serverEnv, server.setup));
      const storm = await reconnectPhase({ system, server, gens, port, ask, log, restart, settleMs: QUICK ? 300 : 1000, waitMs: QUICK ? 60_000 : 120_000, exitWaitMs: 15_000 });
      return { ...base, ...connectInfo, ...storm };
    }

    if (scenarioName === 'capacity') {
      const joinedSample = procSample(server.pid);
      const genPids = gens.map((g) => g.pid);
      const a = sampleAll([server.pid, ...genPids]);
      const series = [];
      const end = nowMs() + sc.hold;
      while (nowMs() < end) {
        await sleep(Math.min(5000, end - nowMs()));
        const s = procSample(server.pid);
        if (s) series.push(Math.round(s.rss / 1048576));
      }
      const b = sampleAll([server.pid, ...genPids]);
      const snap = await ask(gens, 'snapshot', 'snapshot');
      const reports = await ask(gens, 'report', 'report');
      const health = await httpGet(port, '/healthz', SCALE.httpMs);
      const stats = (await httpGet(port, '/stats', SCALE.httpMs))?.body ?? {};
      const dt = (b[server.pid].t - a[server.pid].t) / 1000;
      const closeCodes = {};
      for (const r of reports) for (const [c, n] of Object.entries(r.closeCodes)) closeCodes[c] = (closeCodes[c] ?? 0) + n;
      return {
        ...base,
        ...connectInfo,
        holdS: sc.hold / 1000,
        stillJoined: sum(snap, 'joined') - sum(snap, 'closedAfterJoin'),
        closedAfterJoin: sum(snap, 'closedAfterJoin'),
        closeCodes,
        serverConnections: stats.connections ?? null,
        idleRssMB: server.idleRss / 1048576,
        joinedRssMB: joinedSample.rss / 1048576,
        rssMB: b[server.pid].rss / 1048576,
        kbPerConn: (b[server.pid].rss - server.idleRss) / 1024 / joined,
        rssSeriesMB: series,
        serverCpuPct: (100 * cpuOf([server.pid], a, b)) / dt,
        serverUserCpuPct: (100 * cpuOf([server.pid], a, b, 'user')) / dt,
        loadgenCpuPct: (100 * cpuOf(genPids, a, b)) / dt,
        foreignCpuPct: Math.max(0, (100 * (b.machine.cpu - a.machine.cpu - cpuOf([server.pid, ...genPids], a, b))) / dt),
        healthz: health?.status ?? null,
      };
    }

    if (sc.storm) {
      const helpers = { ask, forkPinned, httpGet, drain, addressFor, log, bench: BENCH };
      return { ...base, ...connectInfo, ...(await stormPhase({ system, server, gens, port, room: rooms[0], window: sc.window, run: k, o: STORM, h: helpers })) };
    }
    if (scenarioName === 'soak') return { ...base, ...connectInfo, ...(await soakPhase({ system, server, gens, port, rooms, window: sc.window, run: k })) };

    if (scenarioName === 'maxrate') {
      const steps = [];
      let best = 0;
      for (let i = 0; i < sc.ladder.length; i++) {
        const rate = sc.ladder[i];
        // A step that fails is tried once more (noise on a shared machine) before the search stops.
        let r;
        let ok = false;
        for (let attempt = 0; attempt < 2 && !ok; attempt++) {
          r = await publishPhase({ system, server, gens, port, rooms, rate, window: sc.window, duration: sc.duration, ping: 0, phase: 2 * i + attempt + 1, run: k, viewers });
          const acceptedOk = r.accepted >= 0.95 * r.attempted;
          const lossOk = r.probeExpected > 0 && r.unaccountedLost <= 0.01 * r.probeExpected;
          ok = r.serverAlive && r.p99 !== null && r.p99 < 1000 && acceptedOk && lossOk;
          if (!r.serverAlive) break;
        }
        steps.push({ rate, ok, p99: r.p99, accepted: r.accepted, attempted: r.attempted, unaccountedLost: r.unaccountedLost, probeExpected: r.probeExpected, deliveredPerS: r.deliveredPerS, serverCpuPct: r.serverCpuPct, rssMB: r.rssMB });
        log(`${system} maxrate ${rate}/s: ${ok ? 'ok' : 'FAIL'} p99=${r.p99} accepted ${r.accepted}/${r.attempted} unaccounted lost ${r.unaccountedLost}/${r.probeExpected}`);
        if (!ok) break;
        best = rate;
        await sleep(1000);
      }
      return { ...base, ...connectInfo, maxRate: best, steps };
    }

    const r = await publishPhase({ system, server, gens, port, rooms, rate: sc.rate, window: sc.window, duration: sc.duration, ping: sc.ping, phase: 1, run: k, viewers });
    return { ...base, rate: sc.rate, durationS: sc.duration / 1000, ...connectInfo, ...r };
  } catch (error) {
    log(`${system} ${scenarioName} #${run} failed: ${error.message}`);
    return { ...base, error: String(error.message), serverStderr: server?.stderr().slice(-500) };
  } finally {
    if (gens.length) {
      for (const g of gens) g.send({ cmd: 'close' });
      await sleep(QUICK ? 500 : 1500);
      for (const g of gens) g.kill('SIGKILL');
    }
    if (server?.child.exitInfo) log(`${system} server exited during the run: ${JSON.stringify(server.child.exitInfo)} ${server.stderr().slice(-1500)}`);
    await stopServer(server);
  }
}


// ---- soak --------------------------------------------------------------------------------
/**
 * Fills every room's history (items that no probe or counter recognises: no MARK), in
 * batches of at most 1000, before any viewer joins.
 */
async function prefillHistory(port, rooms, perRoom) {
  const started = nowMs();
  for (const room of rooms) {
    for (let done = 0; done < perRoom; done += 1000) {
      const items = Array.from({ length: Math.min(1000, perRoom - done) }, (_, i) => ({ text: `history ${done + i}${' '.repeat(20)}filler` }));
      const res = await fetch(`http://127.0.0.1:${port}/rooms/${encodeURIComponent(room)}/comments/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
        signal: AbortSignal.timeout(30_000),
      });
      if (res.status !== 202) throw new Error(`prefilling ${room}: HTTP ${res.status} ${await res.text()}`);
    }
  }
  log(`history prefilled: ${perRoom} items in each of ${rooms.length} rooms in ${Math.round(nowMs() - started)} ms`);
}

/** Redis used_memory, and the memory of this run's keys (MEMORY USAGE over its prefix). */
async function redisMemory(client, prefix) {
  if (!client) return { redisUsed: null, keysBytes: null };
  try {
    const info = await client.info('memory');
    const redisUsed = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
    let keysBytes = null;
    if (prefix) {
      keysBytes = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        for (const key of keys) keysBytes += (await client.memory('USAGE', key)) ?? 0;
      } while (cursor !== '0');
    }
    return { redisUsed, keysBytes };
  } catch (error) {
    log(`Redis memory sample failed: ${error.message}`);
    return { redisUsed: null, keysBytes: null };
  }
}

/**
 * The soak: steady publishing in every room for SOAK.seconds while the load generators
 * churn (lib/soak-churn.mjs); every SOAK.sampleSeconds the server's RSS (from /proc), heap
 * and active resources (from /stats) and Redis memory are sampled. Probes resume with
 * `since` after each of their reconnects, so zero loss is still checked by seq.
 */
async function soakPhase({ system, server, gens, port, rooms, window, run }) {
  const serverPids = [server.pid, ...(server.workers ?? [])];
  let redis = null;
  if (server.prefix) {
    const { Redis } = await import('ioredis');
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    redis.on('error', () => {});
    await redis.connect().catch(() => (redis = null));
  }
  const durationMs = SOAK.seconds * 1000;
  const startAt = nowMs() + 500;
  await ask(gens, 'phase', 'phased', { phase: 1, pingMs: 1000, startAt, steadyFrom: startAt, bySecond: false });
  const roles = await ask(gens, 'soak-start', 'soak-started');
  const roleCounts = {};
  for (const r of roles) for (const [role, n] of Object.entries(r.roles)) roleCounts[role] = (roleCounts[role] ?? 0) + n;
  log(`${system} soak: ${SOAK.seconds} s, ${SOAK.rate} comments/s over ${rooms.length} rooms, roles ${JSON.stringify(roleCounts)}`);
  const publisher = startPublisher({ port, rooms, rate: SOAK.rate, durationMs, phase: 1, startAt, run });
  let finished = false;
  const published = publisher.waitFor('published', durationMs + 60_000).finally(() => (finished = true));
  const samples = [];
  const sample = async () => {
    // A busy server may answer slowly: a sample waits for it rather than record nothing.
    const stats = (await httpGet(port, '/stats', 5000))?.body ?? {};
    const snap = await ask(gens, 'snapshot', 'snapshot');
    const rss = serverPids.reduce((n, pid) => n + (procSample(pid)?.rss ?? 0), 0);
    const row = {
      t: Math.round((nowMs() - startAt) / 1000),
      rss,
      heapUsed: stats.heapUsedBytes ?? null,
      heapTotal: stats.heapTotalBytes ?? null,
      external: stats.externalBytes ?? null,
      activeResources: stats.activeResources ?? null,
      connections: stats.connections ?? null,
      rooms: stats.rooms ?? null,
      dropped: stats.dropped ?? null,
      slowClosed: stats.slowClosed ?? null,
      ...(await redisMemory(redis, server.prefix)),
      viewersJoined: sum(snap, 'connected'),
      rejoins: sum(snap, 'rejoins'),
      items: sum(snap, 'items'),
    };
    samples.push(row);
    log(`soak t=${row.t}s RSS ${(rss / 1048576).toFixed(1)} MB, heap ${((row.heapUsed ?? 0) / 1048576).toFixed(1)} MB, resources ${row.activeResources}, connections ${row.connections}, Redis ${row.redisUsed === null ? '—' : (row.redisUsed / 1048576).toFixed(1) + ' MB'}, rejoins ${row.rejoins}`);
  };
  await sleep(Math.max(0, startAt - nowMs()));
  await sample();
  for (let next = startAt + SOAK.sampleSeconds * 1000; !finished; next += SOAK.sampleSeconds * 1000) {
    while (!finished && nowMs() < next) await sleep(Math.min(500, next - nowMs()));
    if (!finished) await sample();
  }
  const pub = await published;
  await ask(gens, 'soak-stop', 'soak-stopped');
  // Connections away at the stop come back (at most 2 s later) and probes resume; then the
  // last batches drain.
  await sleep(2500);
  await drain(gens, window, SCALE.drainMs);
  await sample();
  const reports = await ask(gens, 'report', 'report');
  const health = await httpGet(port, '/healthz', SCALE.httpMs);
  redis?.disconnect();

  const loss = probeLoss(reports, pub);
  const closeCodes = {};
  const churn = {};
  for (const r of reports) {
    for (const [c, n] of Object.entries(r.closeCodes)) closeCodes[c] = (closeCodes[c] ?? 0) + n;
    for (const [key, n] of Object.entries(r.churn ?? {})) churn[key] = (churn[key] ?? 0) + n;
  }
  const probeJoins = reports.flatMap((r) => r.probes.map((p) => p.joins ?? 0));
  const meanConnections = samples.reduce((n, s) => n + (s.connections ?? 0), 0) / samples.length;
  // Flat: the last third's fitted growth within 5% of its mean, or under a floor for noise.
  const verdicts = [
    flatVerdict(samples, 'rss', { floor: 10 * 1048576 }),
    flatVerdict(samples, 'heapUsed', { floor: 5 * 1048576 }),
    flatVerdict(samples, 'activeResources', { floor: Math.max(50, 0.02 * meanConnections) }),
    ...(redis ? [flatVerdict(samples, 'redisUsed', { floor: 2 * 1048576 }), flatVerdict(samples, 'keysBytes', { floor: 64 * 1024 })] : []),
  ];
  const name = `${TAG}-soak-${system}`;
  const svg = path.join(RESULTS, `${name}.svg`);
  writeFileSync(svg, soakChart(samples, `soak, ${system}: ${SOAK.viewers} viewers with churn, ${SOAK.rate} comments/s in ${rooms.length} rooms, ${SOAK.seconds} s`));
  const md = [
    `### soak, ${system}`,
    '',
    `${SOAK.viewers} viewers (roles ${JSON.stringify(roleCounts)}), ${SOAK.rate} comments/s over ${rooms.length} rooms for ${SOAK.seconds} s; samples every ${SOAK.sampleSeconds} s.`,
    `Probe loss ${loss.lost}/${loss.expected} (${loss.probesJoined} probes, ${probeJoins.reduce((a, b) => a + b, 0) - probeJoins.length} probe reconnects with since), reorders ${loss.reorders}, dupes ${loss.dupes};`,
    `accepted ${pub.accepted}/${pub.attempted} (HTTP statuses ${JSON.stringify(pub.statuses)}); churn ${JSON.stringify(churn)}; close codes seen by viewers ${JSON.stringify(closeCodes)}; /healthz ${health?.status ?? '—'}.`,
    '',
    verdictTable(verdicts),
    '',
    sampleTable(samples),
    '',
    `![RSS and heap over time](${path.basename(svg)})`,
    '',
    'Server warnings (the last of them):',
    '',
    '```',
    server.stderr().trim().split('\n').slice(-15).join('\n') || '(none)',
    '```',
    '',
  ].join('\n');
  writeFileSync(path.join(RESULTS, `${name}.md`), md);
  console.log(md);
  log(`soak plot ${path.relative(ROOT, svg)}, table ${path.relative(ROOT, path.join(RESULTS, `${name}.md`))}`);
  return {
    soakSeconds: SOAK.seconds,
    rate: SOAK.rate,
    roles: roleCounts,
    samples,
    verdicts,
    flat: verdicts.every((v) => v.flat !== false),
    probeExpected: loss.expected,
    probeLost: loss.lost,
    probesJoined: loss.probesJoined,
    probeReconnects: probeJoins.reduce((a, b) => a + b, 0) - probeJoins.length,
    reorders: loss.reorders,
    dupes: loss.dupes,
    attempted: pub.attempted,
    accepted: pub.accepted,
    httpStatuses: pub.statuses,
    churn,
    closeCodes,
    healthz: health?.status ?? null,
    serverAlive: !server.child.exitInfo,
    plot: path.relative(ROOT, svg),
  };
}

// ---- output ----------------------------------------------------------------------------
const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const med = (rows, key) => median(rows.map((r) => r[key]));

function table(scenario, rows) {
  const bySystem = new Map();
  for (const r of rows) {
    if (!bySystem.has(r.system)) bySystem.set(r.system, []);
    bySystem.get(r.system).push(r);
  }
  const out = [];
  if (SCENARIO[scenario]?.cluster) return clusterTable(rows);
  if (SCENARIO[scenario]?.storm) return stormTable(rows);
  if (SCENARIO[scenario]?.reconnect) return reconnectTable(rows);
  if (scenario === 'soak') {
    out.push('| system | seconds | viewers | comments/s | probe loss | probe reconnects | accepted/attempted | RSS first → last MB | heap used first → last MB | active resources first → last | flat by the end | healthz |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      if (r.error) {
        out.push(`| ${r.system} | failed: ${r.error} |`);
        continue;
      }
      const first = r.samples[0];
      const last = r.samples.at(-1);
      const mb = (v) => fmt(v / 1048576, 1);
      out.push(`| ${r.system} | ${r.soakSeconds} | ${r.viewers} | ${r.rate} | ${r.probeLost}/${r.probeExpected} | ${r.probeReconnects} | ${r.accepted}/${r.attempted} | ${mb(first.rss)} → ${mb(last.rss)} | ${mb(first.heapUsed)} → ${mb(last.heapUsed)} | ${first.activeResources} → ${last.activeResources} | ${r.flat ? 'yes' : 'NO: ' + r.verdicts.filter((v) => v.flat === false).map((v) => v.key).join(', ')} | ${r.healthz} |`);
    }
    return out.join('\n');
  }
  if (scenario === 'capacity') {
    out.push('| system | runs | deflate | joined | connect/s | join p50 ms | join p99 ms | errors | closed during hold | idle RSS MB | RSS MB | KB/conn | server CPU % | loadgen CPU % | other CPU % | healthz |');
    out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [system, list] of bySystem) {
      const ok = list.filter((r) => !r.error);
      out.push(`| ${system} | ${ok.length}/${list.length} | ${deflateLabel(ok[0])} | ${fmt(med(ok, 'joined'))} | ${fmt(med(ok, 'connectPerS'))} | ${fmt(med(ok, 'joinP50'), 1)} | ${fmt(med(ok, 'joinP99'), 1)} | ${fmt(med(ok, 'connectErrors'))} | ${fmt(med(ok, 'closedAfterJoin'))} | ${fmt(med(ok, 'idleRssMB'))} | ${fmt(med(ok, 'rssMB'))} | ${fmt(med(ok, 'kbPerConn'), 2)} | ${fmt(med(ok, 'serverCpuPct'), 1)} | ${fmt(med(ok, 'loadgenCpuPct'), 1)} | ${fmt(med(ok, 'foreignCpuPct'))} | ${ok.map((r) => r.healthz).join('/')} |`);
    }
    return out.join('\n');
  }
  if (scenario === 'maxrate') {
    out.push('| system | runs | largest rate with p99 < 1 s (comments/s) | steps (rate: p99 ms, accepted/attempted) |');
    out.push('|---|---|---|---|');
    for (const [system, list] of bySystem) {
      const ok = list.filter((r) => !r.error);
      const steps = ok[0]?.steps?.map((s) => `${s.rate}: ${fmt(s.p99)} ${s.accepted}/${s.attempted}${s.ok ? '' : ' FAIL'}`).join('; ') ?? '';
      out.push(`| ${system} | ${ok.length}/${list.length} | ${fmt(med(ok, 'maxRate'))} | ${steps} |`);
    }
    return out.join('\n');
  }
  out.push('| system | runs | deflate | delivered/s | frames/s | items/frame | MB/s | bytes/comment | p50 ms | p99 ms | max ms | PING p99 ms | probe loss | accepted/attempted | thinned | server CPU % | CPU µs/1k items (user) | loadgen CPU % | publisher CPU % | other CPU % | RSS MB | KB/conn | healthz |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [system, list] of bySystem) {
    const ok = list.filter((r) => !r.error);
    const loss = ok.map((r) => `${r.probeLost}/${r.probeExpected}`).join(', ');
    const acc = `${fmt(med(ok, 'accepted'))}/${fmt(med(ok, 'attempted'))}`;
    out.push(`| ${system} | ${ok.length}/${list.length} | ${deflateLabel(ok[0])} | ${fmt(med(ok, 'deliveredPerS'))} | ${fmt(med(ok, 'framesPerS'))} | ${fmt(med(ok, 'itemsPerFrame'), 1)} | ${fmt(med(ok, 'MBps'), 1)} | ${fmt(med(ok, 'bytesPerItem'), 1)} | ${fmt(med(ok, 'p50'), 1)} | ${fmt(med(ok, 'p99'), 1)} | ${fmt(med(ok, 'max'), 1)} | ${fmt(med(ok, 'pingP99'), 1)} | ${loss} | ${acc} | ${fmt(med(ok, 'thinned'))} | ${fmt(med(ok, 'serverCpuPct'), 1)} | ${fmt(med(ok, 'serverCpuUsPerKItem'))} (${fmt(med(ok, 'serverUserUsPerKItem'))}) | ${fmt(med(ok, 'loadgenCpuPct'), 1)} | ${fmt(med(ok, 'publisherCpuPct'), 1)} | ${fmt(med(ok, 'foreignCpuPct'))} | ${fmt(med(ok, 'rssMB'))} | ${fmt(med(ok, 'kbPerConn'), 2)} | ${ok.map((r) => r.healthz + (r.killed ? ' ' + r.killed : '')).join('/')} |`);
  }
  return out.join('\n');
}

// ---- main ------------------------------------------------------------------------------
async function main() {
  mkdirSync(RESULTS, { recursive: true });
  if (!flag('no-build')) ensureBuilt(ROOT, path.join(BENCH, '.server'), log);
  const baseline = BASELINE ? { ref: BASELINE, ...ensureBaselineBuilt(ROOT, BASELINE, path.join(BENCH, '.baseline-server'), log) } : null;
  if (baseline) SERVER_SCRIPT['project-baseline'] = baseline.main;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    node: process.version,
    ws: JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("ws/package.json").version)'], { cwd: ROOT }).toString()),
    openFiles: execFileSync('sh', ['-c', 'ulimit -n']).toString().trim(),
    commit: (() => {
      try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
      } catch {
        return null;
      }
    })(),
  };
  log('machine', JSON.stringify(machine), QUICK ? '(quick)' : '', `runs=${RUNS}`, baseline ? `baseline ${baseline.ref} = ${baseline.sha}` : '');
  appendFileSync(JSONL, JSON.stringify({ type: 'machine', ...machine, quick: QUICK, argv, baseline: baseline && { ref: baseline.ref, sha: baseline.sha } }) + '\n');
  const started = nowMs();
  const all = [];
  for (const scenario of SCENARIOS) {
    const rows = [];
    const runs = scenario === 'maxrate' || SCENARIO[scenario]?.soak ? 1 : RUNS;
    for (let run = 1; run <= runs; run++) {
      const sc = SCENARIO[scenario];
      for (const system of sc?.cluster ? CLUSTER_SYSTEMS : sc?.soak ? SOAK_SYSTEMS : sc?.storm ? STORM.systems : sc?.reconnect ? RECONNECT_SYSTEMS : SYSTEMS) {
        const result = await runOnce(system, scenario, run);
        appendFileSync(JSONL, JSON.stringify({ type: 'result', ...result }) + '\n');
        rows.push(result);
        all.push(result);
        await sleep(SCALE.gap);
      }
    }
    const md = `### ${scenario}${QUICK ? ' (quick)' : ''}\n\n${table(scenario, rows)}\n`;
    console.log(md);
  }
  if (PROFILE) {
    for (const scenario of opt('profile-scenarios', 'big-room,flood').split(',')) {
      for (const system of opt('profile-systems', 'project').split(',')) {
        const dir = path.join(RESULTS, 'prof', `${TAG}-${scenario}-${system}`);
        mkdirSync(dir, { recursive: true });
        const result = await runOnce(system, scenario, 1, { profileDir: dir });
        appendFileSync(JSONL, JSON.stringify({ type: 'profile-run', ...result }) + '\n');
        console.log(`### profile ${scenario}\n\n${table(scenario, [result])}\n`);
        const summary = execFileSync(process.execPath, [path.join(BENCH, 'profile-summary.mjs'), dir]).toString();
        console.log(summary);
      }
    }
  }
  // Medians, derived columns and the issue's targets, over everything in this results file.
  try {
    console.log(execFileSync(process.execPath, [path.join(BENCH, 'summarize.mjs'), JSONL]).toString());
  } catch (error) {
    log(`summarize failed: ${error.message}`);
  }
  log(`done in ${Math.round((nowMs() - started) / 1000)} s; JSON lines in ${path.relative(ROOT, JSONL)}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
