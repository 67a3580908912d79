#!/usr/bin/env node
// Per-process figures for docs/scaling.md, measured through Redis: one server process (A)
// holds the viewers, a second one (B) takes the publishes, both on a redis-server of this
// script's own. Prints one JSON line per scenario and a markdown table.
//
//   node scripts/measure-scaling.mjs [--viewers 10000] [--seconds 10] [--rate 50] [--no-build] [--redis-only]
//
// --rate: comments/s published into the big room (items per frame = rate x 0.2 s).
//
// A is pinned to core 0 (taskset), everything else to core 1. Viewers are raw TCP sockets
// in a child process (hand-written upgrade, masked JOIN frames, bytes counted, no JSON
// parsed); items are counted by the '~' that starts every published text and appears
// nowhere else. CPU comes from /proc/PID/stat, RSS from /proc/PID/status, Redis's cost per
// command from INFO commandstats.
import { execFileSync, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'node_modules/.cache/measure-scaling-server');
const TICK_HZ = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(args[at + 1]);
};

if (args[0] === '--viewer-child') await viewerChild();
else await main();

// --- the viewers (child process) ------------------------------------------------------

async function viewerChild() {
  const totals = { bytes: 0, items: 0, connected: 0, failed: 0 };
  const sockets = [];
  process.on('message', async (message) => {
    if (message.type === 'connect') {
      const { port, rooms, count } = message;
      for (let i = 0; i < count; i++) {
        // ~28,000 ephemeral ports per source address: spread over 127.0.1.x.
        const localAddress = `127.0.1.${1 + Math.floor(i / 5000)}`;
        sockets.push(openViewer(port, localAddress, rooms[i % rooms.length], totals));
        if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await Promise.allSettled(sockets);
      process.send({ type: 'connected', connected: totals.connected, failed: totals.failed });
    } else if (message.type === 'totals') {
      process.send({ type: 'totals', bytes: totals.bytes, items: totals.items });
    } else if (message.type === 'close') {
      for (const socket of sockets) (await socket.catch(() => undefined))?.destroy();
      process.exit(0);
    }
  });
}

function openViewer(port, localAddress, room, totals) {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let upgraded = false;
    let head = '';
    socket.setNoDelay(true);
    socket.on('error', (error) => {
      if (!upgraded) {
        totals.failed++;
        reject(error);
      }
    });
    socket.on('connect', () => {
      const key = randomBytes(16).toString('base64');
      socket.write(
        `GET /connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.on('data', (chunk) => {
      if (!upgraded) {
        head += chunk.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.startsWith('HTTP/1.1 101')) {
          totals.failed++;
          socket.destroy();
          reject(new Error(head.split('\r\n')[0]));
          return;
        }
        upgraded = true;
        totals.connected++;
        socket.write(clientFrame(JSON.stringify({ type: 'JOIN', data: { room } })));
        resolve(socket);
        return;
      }
      totals.bytes += chunk.length;
      let at = chunk.indexOf(0x7e);
      while (at >= 0) {
        totals.items++;
        at = chunk.indexOf(0x7e, at + 1);
      }
    });
  });
}

/** A masked text frame (mask key 0: the payload stays as is). */
function clientFrame(text) {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error('frame too long for this helper');
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

// --- the runner -----------------------------------------------------------------------

async function main() {
  execFileSync('taskset', ['-pc', '1', String(process.pid)], { stdio: 'ignore' });
  const viewers = option('viewers', 10_000);
  const seconds = option('seconds', 10);
  if (!args.includes('--no-build')) {
    console.error('building the server into', OUT);
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', OUT, '--incremental', 'false'], { cwd: ROOT, stdio: 'inherit' });
    execFileSync('cp', ['-r', join(ROOT, 'src/page/public'), join(OUT, 'page/')]);
  }
  const redis = await startRedis();
  const results = [];
  try {
    const only = args.includes('--redis-only');
    const scenarios = only ? [] : [
      { name: 'big-room', rooms: 1, rate: option('rate', 50), batch: 5 },
      { name: 'many-rooms', rooms: Math.max(1, Math.floor(viewers / 10)), rate: 1000, batch: 1 },
    ];
    for (const scenario of scenarios) results.push(await runScenario(scenario, { viewers, seconds, redis }));
    results.push(await measureRedisPublish(redis));
    results.push(await measureRedisFanOut(redis));
    results.push(await measureRedisPresence(redis));
  } finally {
    redis.stop();
  }
  for (const result of results) console.log(JSON.stringify(result));
  printTable(results);
}

async function runScenario({ name, rooms, rate, batch }, { viewers, seconds, redis }) {
  const prefix = `measure:${randomBytes(3).toString('hex')}:`;
  let published = 0;
  let failed = 0;
  const env = { REDIS_URL: redis.url, REDIS_PREFIX: prefix, HEARTBEAT_TIMEOUT_MS: '3600000', LOG_LEVEL: 'log', ONLINE_INTERVAL_MS: '5000' };
  const a = await startServer(env, '0');
  const b = await startServer(env, '1');
  const child = fork(fileURLToPath(import.meta.url), ['--viewer-child'], { execArgv: [] });
  execFileSync('taskset', ['-pc', '1', String(child.pid)], { stdio: 'ignore' });
  const ask = (message, reply) =>
    new Promise((resolve) => {
      const onMessage = (answer) => {
        if (answer.type !== reply) return;
        child.off('message', onMessage);
        resolve(answer);
      };
      child.on('message', onMessage);
      child.send(message);
    });
  try {
    const roomNames = Array.from({ length: rooms }, (_, i) => `${name}-${i}`);
    const idleRss = rssOf(a.pid);
    const connectedAt = Date.now();
    const connected = await ask({ type: 'connect', port: a.port, rooms: roomNames, count: viewers }, 'connected');
    await waitFor(async () => (await getJson(a, '/stats')).connections === connected.connected, 60_000);
    const connectSeconds = (Date.now() - connectedAt) / 1000;
    // Let the JOINs and the first presence reports settle.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const joinedRss = rssOf(a.pid);

    // Publish on B at `rate` comments/s, `batch` comments per call, rooms round-robin.
    let room = 0;
    let due = 0;
    const publishing = setInterval(() => {
      due += rate / batch / 20;
      for (; due >= 1; due--) {
        const target = roomNames[room++ % roomNames.length];
        const items = Array.from({ length: batch }, () => ({ text: `~${Date.now()} 弹幕 measure payload 666` }));
        fetch(`${b.http}/rooms/${encodeURIComponent(target)}/comments/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ items }),
        }).then(
          (response) => (response.ok ? (published += batch) : failed++),
          () => failed++,
        );
      }
    }, 50);
    await new Promise((resolve) => setTimeout(resolve, 2000));

    const before = await snapshot(a, b, redis, ask);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const after = await snapshot(a, b, redis, ask);
    clearInterval(publishing);
    const dt = (after.at - before.at) / 1000;
    const frames = after.stats.framesOut - before.stats.framesOut;
    const bytes = after.stats.bytesOut - before.stats.bytesOut;
    const batches = after.stats.batches - before.stats.batches;
    const cpuA = (after.cpuA - before.cpuA) / dt;
    const cpuB = (after.cpuB - before.cpuB) / dt;
    const cpuRedis = (after.cpuRedis - before.cpuRedis) / dt;
    const delivered = (after.viewers.items - before.viewers.items) / dt;
    const evalsha = commandDelta(before.redis, after.redis, 'evalsha');
    return {
      scenario: name,
      viewers: connected.connected,
      failedConnections: connected.failed,
      rooms,
      connectSeconds: round(connectSeconds, 1),
      publishedPerSecond: round((after.published - before.published) / dt, 0),
      publishFailures: failed,
      framesPerSecond: round(frames / dt, 0),
      batchesPerSecond: round(batches / dt, 0),
      itemsPerFrame: round(delivered / (frames / dt), 1),
      deliveriesPerSecond: round(delivered, 0),
      megabytesPerSecond: round(bytes / dt / 1e6, 2),
      bytesPerFrame: round(bytes / frames, 0),
      cpuA: round(cpuA * 100, 1),
      cpuB: round(cpuB * 100, 1),
      cpuRedis: round(cpuRedis * 100, 1),
      cpuMicrosPerFrame: round((cpuA * 1e6) / (frames / dt), 2),
      idleRssMB: round(idleRss / 1e6, 1),
      rssMB: round(rssOf(a.pid) / 1e6, 1),
      rssPerViewerKB: round((joinedRss - idleRss) / connected.connected / 1e3, 2),
      redisEvalshaMicrosPerCall: evalsha.usecPerCall,
      // Everything else on the machine (other users of the shared cores), in % of one core.
      otherCpu: round(((after.machineCpu - before.machineCpu) / dt - cpuA - cpuB - cpuRedis - (after.cpuChild - before.cpuChild) / dt - (after.cpuSelf - before.cpuSelf) / dt) * 100, 0),
    };
  } finally {
    child.send({ type: 'close' });
    await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 5000))]);
    await Promise.all([a.stop(), b.stop()]);
  }

  async function snapshot(a, b, redis, ask) {
    const [stats, viewersTotals] = await Promise.all([getJson(a, '/stats'), ask({ type: 'totals' }, 'totals')]);
    return {
      at: Date.now(),
      published,
      stats,
      viewers: viewersTotals,
      cpuA: cpuOf(a.pid),
      cpuB: cpuOf(b.pid),
      cpuRedis: cpuOf(redis.pid),
      cpuChild: cpuOf(child.pid),
      cpuSelf: cpuOf(process.pid),
      machineCpu: machineCpu(),
      redis: redis.info('commandstats'),
    };
  }
}

/** Redis's own cost of the publish script with 1, 10 and 100 items, no subscriber. */
async function measureRedisPublish(redis) {
  const { Redis } = await import('ioredis');
  const { PUBLISH_SCRIPT } = await import(join(OUT, 'broker/redis-scripts.js'));
  const client = new Redis(redis.url, { enableAutoPipelining: true });
  client.defineCommand('pub', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
  const out = { scenario: 'redis-publish-script' };
  for (const items of [1, 10, 100]) {
    redis.cli('config', 'resetstat');
    const started = cpuOf(redis.pid);
    const at = Date.now();
    const calls = 20_000 / Math.sqrt(items);
    const pending = [];
    for (let i = 0; i < calls; i++) {
      const room = `bench-${i % 100}`;
      const args = [`m:{${room}}:seq`, `m:{${room}}:hist`, `m:{${room}}:ch`, 'PUBLISH', 1000, 3600, room, ''];
      for (let j = 0; j < items; j++) args.push('{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","seq":', ',"room":"r","text":"~ 弹幕 measure payload 666","color":"#ffffff","mode":"scroll","ts":1795283187105}');
      pending.push(client.pub(...args));
      if (pending.length >= 500) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    const seconds = (Date.now() - at) / 1000;
    const stats = parseCommandStats(redis.info('commandstats'));
    out[`items${items}`] = {
      callsPerSecond: round(calls / seconds, 0),
      usecPerCall: stats.evalsha?.usecPerCall ?? stats.eval?.usecPerCall,
      redisCpu: round(((cpuOf(redis.pid) - started) / seconds) * 100, 0),
    };
  }
  client.disconnect();
  return out;
}

/**
 * Redis's cost of handing one message to many subscribing processes (a giant room): the
 * publish script (1 item) with N raw subscriber connections on its channel, which only
 * drain what they get. Redis CPU per message from /proc, so the socket writes count.
 */
async function measureRedisFanOut(redis) {
  const { Redis } = await import('ioredis');
  const { PUBLISH_SCRIPT } = await import(join(OUT, 'broker/redis-scripts.js'));
  const client = new Redis(redis.url, { enableAutoPipelining: true });
  client.defineCommand('pub', { numberOfKeys: 3, lua: PUBLISH_SCRIPT });
  const port = Number(new URL(redis.url).port);
  const out = { scenario: 'redis-fan-out' };
  const subscribers = [];
  for (const count of [1, 10, 100, 500]) {
    while (subscribers.length < count) {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.write('SUBSCRIBE m:{giant}:ch\r\n');
      socket.on('data', () => undefined);
      subscribers.push(socket);
    }
    await waitFor(() => Number(redis.cli('pubsub', 'numsub', 'm:{giant}:ch').split('\n')[1]) === count, 10_000);
    redis.cli('config', 'resetstat');
    const calls = 5000;
    const started = cpuOf(redis.pid);
    const at = Date.now();
    const pending = [];
    for (let i = 0; i < calls; i++) {
      pending.push(
        client.pub('m:{giant}:seq', 'm:{giant}:hist', 'm:{giant}:ch', 'PUBLISH', 1000, 3600, 'giant', '',
          '{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","seq":', ',"room":"giant","text":"~ 弹幕 measure payload 666","color":"#ffffff","mode":"scroll","ts":1795283187105}'),
      );
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    const seconds = (Date.now() - at) / 1000;
    const cpu = cpuOf(redis.pid) - started;
    out[`subscribers${count}`] = {
      callsPerSecond: round(calls / seconds, 0),
      usecPerCall: parseCommandStats(redis.info('commandstats')).evalsha?.usecPerCall,
      redisCpuMicrosPerCall: round((cpu * 1e6) / calls, 1),
    };
  }
  for (const socket of subscribers) socket.destroy();
  client.disconnect();
  return out;
}

/** Redis's cost of one presence report (PRESENCE_SCRIPT) on rooms shared by 100 processes. */
async function measureRedisPresence(redis) {
  const { Redis } = await import('ioredis');
  const { PRESENCE_SCRIPT } = await import(join(OUT, 'broker/redis-scripts.js'));
  const client = new Redis(redis.url, { enableAutoPipelining: true });
  client.defineCommand('presence', { numberOfKeys: 2, lua: PRESENCE_SCRIPT });
  redis.cli('config', 'resetstat');
  const calls = 20_000;
  const started = cpuOf(redis.pid);
  const at = Date.now();
  const pending = [];
  for (let i = 0; i < calls; i++) {
    const room = `presence-${i % 100}`;
    pending.push(client.presence(`m:{${room}}:on`, `m:{${room}}:ond`, `host:${Math.floor(i / 100) % 100}:abc`, 1 + (i % 7), 10_000));
    if (pending.length >= 500) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const seconds = (Date.now() - at) / 1000;
  client.disconnect();
  return {
    scenario: 'redis-presence-script',
    callsPerSecond: round(calls / seconds, 0),
    usecPerCall: parseCommandStats(redis.info('commandstats')).evalsha?.usecPerCall,
    redisCpuMicrosPerCall: round(((cpuOf(redis.pid) - started) * 1e6) / calls, 1),
  };
}

// --- processes ------------------------------------------------------------------------

async function startServer(env, core) {
  const child = spawn('taskset', ['-c', core, process.execPath, join(OUT, 'main.js')], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    pid: child.pid,
    port,
    http: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([once(child, 'exit'), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'measure-redis-'));
  const child = spawn('taskset', ['-c', '1', 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
  const cli = (...rest) => execFileSync('redis-cli', ['-p', String(port), ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  await waitFor(() => {
    try {
      return cli('ping') === 'PONG';
    } catch {
      return false;
    }
  }, 10_000);
  return {
    pid: child.pid,
    url: `redis://127.0.0.1:${port}`,
    cli,
    info: (section) => cli('info', section),
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// --- measurements ---------------------------------------------------------------------

function cpuOf(pid) {
  // utime + stime of the process (taskset execs node, so the pid is the server's).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK_HZ;
}

function machineCpu() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system (irq softirq steal excluded: not a process's)
  return (fields[0] + fields[1] + fields[2]) / TICK_HZ;
}

function rssOf(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

function parseCommandStats(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(line.trim());
    if (match) out[match[1]] = { calls: Number(match[2]), usec: Number(match[3]), usecPerCall: Number(match[4]) };
  }
  return out;
}

function commandDelta(before, after, name) {
  const a = parseCommandStats(before)[name] ?? { calls: 0, usec: 0 };
  const b = parseCommandStats(after)[name] ?? { calls: 0, usec: 0 };
  const calls = b.calls - a.calls;
  return { calls, usecPerCall: calls > 0 ? round((b.usec - a.usec) / calls, 2) : null };
}

async function getJson(server, path) {
  return (await fetch(server.http + path)).json();
}

async function waitFor(check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  return port;
}

function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function printTable(results) {
  const rows = results.filter((r) => r.framesPerSecond !== undefined);
  const columns = [
    ['scenario', 'scenario'],
    ['viewers', 'viewers'],
    ['rooms', 'rooms'],
    ['deliveriesPerSecond', 'deliveries/s'],
    ['framesPerSecond', 'frames/s'],
    ['itemsPerFrame', 'items/frame'],
    ['megabytesPerSecond', 'MB/s'],
    ['cpuA', 'CPU % (A)'],
    ['cpuMicrosPerFrame', 'CPU µs/frame'],
    ['cpuB', 'CPU % (B)'],
    ['cpuRedis', 'Redis CPU %'],
    ['rssPerViewerKB', 'RSS/viewer KB'],
  ];
  console.log(`\n| ${columns.map(([, title]) => title).join(' | ')} |`);
  console.log(`|${columns.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${columns.map(([key]) => row[key]).join(' | ')} |`);
  for (const row of results.filter((r) => r.scenario.startsWith('redis-'))) console.log(`\n${row.scenario}:`, JSON.stringify(row));
}
