// A storm's /healthz poller: one GET every `everyMs` over a keep-alive connection (the next
// waits for the one in flight), each round trip counted in the second it was sent.
import http from 'node:http';
import { histIndex, nowMs, sleep } from './lib/common.mjs';
import { bumpSecond, sparseSeconds } from './lib/storm.mjs';

const cfg = JSON.parse(process.argv[2]);
// cfg: { port, startAt, durationMs, everyMs, timeoutMs }

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const rtt = new Map();
const statuses = {};
let failed = 0;

function poll() {
  const sentAt = nowMs();
  const second = Math.floor((sentAt - cfg.startAt) / 1000);
  return new Promise((resolve) => {
    let over = false;
    const finish = (status) => {
      if (over) return;
      over = true;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (status !== 200) failed++;
      bumpSecond(rtt, second, histIndex(nowMs() - sentAt));
      resolve();
    };
    const req = http.get({ host: '127.0.0.1', port: cfg.port, path: '/healthz', agent, timeout: cfg.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode));
    });
    req.on('timeout', () => {
      finish('timeout');
      req.destroy();
    });
    req.on('error', () => finish('error'));
  });
}

async function main() {
  // One round trip before the start opens the connection the polls keep using.
  await poll();
  for (const k of Object.keys(statuses)) delete statuses[k];
  rtt.clear();
  failed = 0;
  await sleep(Math.max(0, cfg.startAt - nowMs()));
  for (let next = cfg.startAt; next < cfg.startAt + cfg.durationMs; next += cfg.everyMs) {
    if (nowMs() < next) await sleep(next - nowMs());
    await poll();
    // A slow answer skips the polls it overlapped rather than bunching them after it.
    while (next + cfg.everyMs < nowMs()) next += cfg.everyMs;
  }
  process.send({ cmd: 'polled', rtt: sparseSeconds(rtt), statuses, failed }, () => process.exit(0));
}

setTimeout(() => process.exit(3), cfg.durationMs + 90_000).unref();
main();
