// The `reconnect` scenario's runner side: joined viewers (armed as in lib/reconnect-storm.mjs),
// the server restarted (SIGTERM, which closes every viewer with 1012; started again on the
// same port, with the same environment and Redis prefix, as soon as it exits), and the
// viewers' return timed from the SIGTERM and from the new server's listen.
import net from 'node:net';
import { nowMs, sleep } from './common.mjs';
import { listenDrops, listenDropsSince } from './listen-drops.mjs';

/** The first instant the port accepts a TCP connection (polled every `everyMs`), or null at `deadline`. */
async function firstListen(port, deadline, everyMs = 5) {
  while (nowMs() < deadline) {
    const ok = await new Promise((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return nowMs();
    await sleep(everyMs);
  }
  return null;
}

/** ms from `from` until `share` of `total` had a time in `times` (sorted), or null if never. */
function until(times, total, share, from) {
  const k = Math.ceil(share * total);
  return k > 0 && times.length >= k ? times[k - 1] - from : null;
}

/**
 * @param ctx { system, server, gens, port, ask, log, restart, settleMs, waitMs, exitWaitMs }: restart()
 *   starts the same system on the same port and hands it to the runner, which stops it at the end.
 */
export async function reconnectPhase({ system, server, gens, port, ask, log, restart, settleMs, waitMs, exitWaitMs }) {
  await sleep(settleMs);
  const armed = await ask(gens, 'storm-arm', 'storm-armed');
  const viewers = armed.reduce((n, r) => n + r.joined, 0);
  const dropsBefore = listenDrops();
  const sigtermAt = nowMs();
  server.child.kill('SIGTERM');
  while (!server.child.exitInfo && nowMs() < sigtermAt + exitWaitMs) await sleep(5);
  const killed = !server.child.exitInfo;
  if (killed) {
    server.child.kill('SIGKILL');
    while (!server.child.exitInfo) await sleep(5);
  }
  const exitAt = nowMs();
  const listening = firstListen(port, exitAt + 60_000);
  await restart();
  const listenAt = await listening;
  log(`${system} reconnect: ${viewers} viewers; SIGTERM → exit ${Math.round(exitAt - sigtermAt)} ms${killed ? ' (SIGKILL)' : ''}, → listen ${listenAt ? Math.round(listenAt - sigtermAt) : '—'} ms`);
  const deadline = sigtermAt + waitMs;
  let back = 0;
  while (nowMs() < deadline) {
    const status = await ask(gens, 'storm-status', 'storm-status');
    back = status.reduce((n, r) => n + r.back, 0);
    if (back >= viewers) break;
    await sleep(200);
  }
  const listenOverflows = listenDropsSince(dropsBefore);
  const reports = await ask(gens, 'storm-report', 'storm-report');
  const all = (key) => reports.flatMap((r) => r[key]).sort((a, b) => a - b);
  const backAt = all('backAt');
  const upgradeMs = all('upgradeMs');
  const joinMs = all('joinMs');
  const q = (list, share) => (list.length ? list[Math.ceil(share * list.length) - 1] : null);
  const counts = {};
  const closeCodes = {};
  for (const r of reports) {
    for (const [k, n] of Object.entries(r.counts)) counts[k] = (counts[k] ?? 0) + n;
    for (const [c, n] of Object.entries(r.closeCodes)) closeCodes[c] = (closeCodes[c] ?? 0) + n;
  }
  const connectFailAt = all('connectFailAt');
  const joinFailAt = all('joinFailAt');
  const after = (times) => (listenAt === null ? times.length : times.filter((t) => t >= listenAt).length);
  const s = (ms) => (ms === null ? null : ms / 1000);
  const stats = listenAt === null ? {} : ((await fetch(`http://127.0.0.1:${port}/stats`, { signal: AbortSignal.timeout(5000) }).then((r) => r.json()).catch(() => ({}))) ?? {});
  return {
    viewersJoined: viewers,
    lost: reports.reduce((n, r) => n + r.lost, 0),
    back: backAt.length,
    notBack: viewers - backAt.length,
    close1012: closeCodes['1012'] ?? 0,
    closeCodes,
    exitMs: exitAt - sigtermAt,
    killedAtExit: killed,
    listenMs: listenAt === null ? null : listenAt - sigtermAt,
    // Seconds from the SIGTERM, and from the new server's first accepted TCP connection.
    back50S: s(until(backAt, viewers, 0.5, sigtermAt)),
    back99S: s(until(backAt, viewers, 0.99, sigtermAt)),
    back100S: s(until(backAt, viewers, 1, sigtermAt)),
    back50FromListenS: listenAt === null ? null : s(until(backAt, viewers, 0.5, listenAt)),
    back99FromListenS: listenAt === null ? null : s(until(backAt, viewers, 0.99, listenAt)),
    back100FromListenS: listenAt === null ? null : s(until(backAt, viewers, 1, listenAt)),
    gaps: counts.gaps ?? 0,
    epochChanged: counts.epochChanged ?? 0,
    seqBehind: counts.seqBehind ?? 0,
    attempts: counts.attempts ?? 0,
    maxAttempts: Math.max(...reports.map((r) => r.maxAttempts)),
    // Failed attempts begun before the new server listened (the old one draining, or nothing on the port) ...
    refusedWhileDown: connectFailAt.length - after(connectFailAt) + joinFailAt.length - after(joinFailAt),
    // ... and after: the errors that count.
    connectErrors: after(connectFailAt),
    joinErrors: after(joinFailAt) + (counts.joinErrors ?? 0),
    joinRefused: counts.joinErrors ?? 0,
    openTimeouts: counts.openTimeouts ?? 0,
    joinTimeouts: counts.joinTimeouts ?? 0,
    lostAgain: counts.lostAgain ?? 0,
    serverConnections: stats.connections ?? null,
    // The viewers' last (successful) attempt: its start to the 101, and the 101 to JOINED.
    rejoinUpgradeP50: q(upgradeMs, 0.5),
    rejoinUpgradeP99: q(upgradeMs, 0.99),
    rejoinJoinP50: q(joinMs, 0.5),
    rejoinJoinP99: q(joinMs, 0.99),
    // What the restarted server wrote to stderr (LOG_LEVEL=warn) up to its exit.
    oldServerStderr: server.stderr().slice(-1500),
    // Connections the kernel turned away from a full accept queue during the storm (both servers').
    listenOverflows,
    // Failed attempts by what answered: an HTTP status line instead of 101, or a socket error code.
    failures: reports.reduce((all, r) => {
      for (const [why, n] of Object.entries(r.failures)) all[why] = (all[why] ?? 0) + n;
      return all;
    }, {}),
  };
}

const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));

/** The markdown table of reconnect results (one row per run; a restart is one event, not a median). */
export function reconnectTable(rows) {
  const out = [
    '| system | run | viewers joined | 1012 closes | accept-queue overflows | SIGTERM → exit ms | SIGTERM → listen ms | rejoined 50/99/100 % after SIGTERM s | … after listen s | gap: true | new epoch | refused while down | connect errors after listen | JOIN errors after listen | not back | attempts (max per viewer) | failed attempts by cause | last attempt → 101 p50/p99 ms | 101 → JOINED p50/p99 ms | server connections |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.error) {
      out.push(`| ${r.system} | ${r.run} | failed: ${r.error} |`);
      continue;
    }
    out.push(`| ${r.system} | ${r.run} | ${r.viewersJoined} | ${r.close1012} | ${fmt(r.listenOverflows)} | ${fmt(r.exitMs)}${r.killedAtExit ? ' (killed)' : ''} | ${fmt(r.listenMs)} | ${fmt(r.back50S, 2)} / ${fmt(r.back99S, 2)} / ${fmt(r.back100S, 2)} | ${fmt(r.back50FromListenS, 2)} / ${fmt(r.back99FromListenS, 2)} / ${fmt(r.back100FromListenS, 2)} | ${r.gaps} | ${r.epochChanged} | ${r.refusedWhileDown} | ${r.connectErrors} | ${r.joinErrors} | ${r.notBack} | ${r.attempts} (${r.maxAttempts}) | ${Object.entries(r.failures ?? {}).map(([why, n]) => `${why}: ${n}`).join(', ')} | ${fmt(r.rejoinUpgradeP50)} / ${fmt(r.rejoinUpgradeP99)} | ${fmt(r.rejoinJoinP50)} / ${fmt(r.rejoinJoinP99)} | ${fmt(r.serverConnections)} |`);
  }
  return out.join('\n');
}
