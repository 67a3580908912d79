// The `storm` scenario (issue 13): one room, many viewers, a comment rate that ramps from
// `base` to `peak` and back, half as REST POSTs (storm-rest.mjs), half as COMMENT frames
// from some of the viewers (commenters.mjs), while /healthz (storm-health.mjs) and probes'
// PINGs are timed. Everything is counted per second of send time: offered, accepted,
// refused by kind and how fast the refusal came, accepted→received on the probes (from the
// item's `ts`, the server's Date.now() at accept, on the same clock as the probes), the
// /healthz and PING round trips and the server's RSS.
import path from 'node:path';
import { HIST_SIZE, SeqSet, histIndex, histMerge, histStats, median, nowMs, procSample, sleep } from './common.mjs';

// ---- options -------------------------------------------------------------------------
/**
 * `--storm-seconds S` (each ramp, up and down), `--storm-base R`, `--storm-peak R`,
 * `--storm-viewers N`, `--storm-commenters N`, `--storm-rest-connections N`.
 */
export function stormOptions(opt, quick, systemsGiven, systems) {
  const seconds = Number(opt('storm-seconds', quick ? 5 : 30));
  const o = {
    upMs: seconds * 1000,
    downMs: seconds * 1000,
    base: Number(opt('storm-base', 200)),
    peak: Number(opt('storm-peak', quick ? 2000 : 10_000)),
    viewers: Number(opt('storm-viewers', quick ? 500 : 10_000)),
    commenters: Number(opt('storm-commenters', quick ? 50 : 500)),
    // Viewers in a light process of their own that time delivery and PINGs (see commenters.mjs).
    quietProbes: Number(opt('storm-quiet-probes', quick ? 10 : 20)),
    restConnections: Number(opt('storm-rest-connections', quick ? 8 : 32)),
    pingMs: 100,
    healthEveryMs: 100,
    answerWaitMs: quick ? 2000 : 5000,
    drainMs: quick ? 2000 : 10_000,
    // Only the project speaks COMMENT; the others are for reference on the REST half.
    systems: systemsGiven ? systems : ['project'],
  };
  o.commenters = Math.min(o.commenters, o.viewers);
  o.quietProbes = Math.min(o.quietProbes, o.viewers - o.commenters);
  // What the load generators hold: the viewers that only watch.
  o.watchers = o.viewers - o.commenters - o.quietProbes;
  return o;
}

/**
 * The server's environment for a storm: the commenters' per-connection limit raised well
 * above their share of the peak, so only overload control refuses.
 */
export function stormServerEnv(o) {
  const perCommenter = o.peak / 2 / Math.max(1, o.commenters);
  const rate = Math.min(10_000, Math.max(100, Math.ceil(4 * perCommenter)));
  return { COMMENT_RATE: String(rate), COMMENT_BURST: String(rate) };
}

// ---- the ramp ------------------------------------------------------------------------
/** Comments/s at `t` ms from the start: base → peak over upMs, back over downMs. */
export function rampRate(t, r) {
  if (t < 0) return 0;
  if (t < r.upMs) return r.base + ((r.peak - r.base) * t) / r.upMs;
  const d = t - r.upMs;
  if (d < r.downMs) return r.peak - ((r.peak - r.base) * d) / r.downMs;
  return 0;
}

/** Comments due from the start to `t` ms (the integral of rampRate). */
export function rampDue(t, r) {
  if (t <= 0) return 0;
  const up = Math.min(t, r.upMs);
  let due = (r.base * up) / 1000 + ((r.peak - r.base) * up * up) / (2 * r.upMs * 1000);
  if (t > r.upMs) {
    const d = Math.min(t - r.upMs, r.downMs);
    due += (r.peak * d) / 1000 - ((r.peak - r.base) * d * d) / (2 * r.downMs * 1000);
  }
  return due;
}

// ---- per-second counting (in the sending processes and the load generators) -----------
/** A histogram per second as a Map(index → count): small, mergeable, sent over IPC sparse. */
export function bumpSecond(bySecond, second, index) {
  let hist = bySecond.get(second);
  if (!hist) bySecond.set(second, (hist = new Map()));
  hist.set(index, (hist.get(index) ?? 0) + 1);
}
/** [[second, [index, count, index, count, …]], …] */
export function sparseSeconds(bySecond) {
  return [...bySecond].map(([second, hist]) => [second, [...hist].flat()]);
}

/**
 * How late a process's own 50 ms timer fires, per second of the phase: the wait any socket
 * read of that process met in that second. A load process that lags adds its lag to every
 * latency it measures, so this tells the server's share from the load side's.
 */
export class LagMeter {
  constructor(startAt, everyMs = 50) {
    this.bySecond = new Map();
    let expected = nowMs() + everyMs;
    this.timer = setInterval(() => {
      const now = nowMs();
      bumpSecond(this.bySecond, Math.floor((now - startAt) / 1000), histIndex(now - expected));
      expected = now + everyMs;
    }, everyMs);
    this.timer.unref?.();
  }
  stop() {
    clearInterval(this.timer);
  }
  toJSON() {
    return sparseSeconds(this.bySecond);
  }
}

/** What a sender offered per second, and how each comment was answered. */
export class SecondCounts {
  constructor(startAt) {
    this.startAt = startAt;
    this.seconds = new Map();
    this.acceptMs = new Map(); // send → accepted answer
    this.refuseMs = new Map(); // send → refusal answer
  }
  secondOf(sentAt) {
    return Math.floor((sentAt - this.startAt) / 1000);
  }
  row(second) {
    let row = this.seconds.get(second);
    if (!row) this.seconds.set(second, (row = { offered: 0, accepted: 0, refused429: 0, refusedRateLimited: 0, other: 0 }));
    return row;
  }
  offered(sentAt) {
    this.row(this.secondOf(sentAt)).offered++;
  }
  /** kind: 'accepted' | 'refused429' | 'refusedRateLimited' | 'other' (no timing) */
  answered(sentAt, kind, now, histIndex) {
    const second = this.secondOf(sentAt);
    this.row(second)[kind]++;
    if (kind === 'accepted') bumpSecond(this.acceptMs, second, histIndex(now - sentAt));
    else if (kind !== 'other') bumpSecond(this.refuseMs, second, histIndex(now - sentAt));
  }
  toJSON() {
    return { seconds: [...this.seconds], acceptMs: sparseSeconds(this.acceptMs), refuseMs: sparseSeconds(this.refuseMs) };
  }
}


// ---- the run (in the runner) -----------------------------------------------------------
/** Merges [[second, sparse], …] lists into Map(second → Uint32Array). */
function mergeSeconds(into, lists) {
  for (const list of lists) {
    for (const [second, sparse] of list ?? []) {
      if (!into.has(second)) into.set(second, new Uint32Array(HIST_SIZE));
      histMerge(into.get(second), sparse);
    }
  }
  return into;
}
const p99Of = (map, second) => (map.has(second) ? histStats(map.get(second)).p99 : null);
const nOf = (map, second) => (map.has(second) ? histStats(map.get(second)).n : 0);
function wholeStats(map) {
  const all = new Uint32Array(HIST_SIZE);
  for (const hist of map.values()) for (let i = 0; i < HIST_SIZE; i++) all[i] += hist[i];
  return histStats(all);
}

/**
 * One storm against a started server whose load generators have joined the room.
 * `h`: the runner's helpers { ask, forkPinned, httpGet, drain, addressFor, log, bench }.
 */
export async function stormPhase({ system, server, gens, port, room, window, run, o, h }) {
  const phase = 1;
  const totalMs = o.upMs + o.downMs;
  const ramp = { base: o.base, peak: o.peak, upMs: o.upMs, downMs: o.downMs };
  const commenters = h.forkPinned(path.join(h.bench, 'commenters.mjs'), {
    port,
    room,
    count: o.commenters,
    localAddress: h.addressFor(41, run),
    concurrency: 100,
    connectTimeoutMs: 30_000,
  });
  const quiet = h.forkPinned(path.join(h.bench, 'commenters.mjs'), {
    port,
    room,
    count: o.quietProbes,
    probe: true,
    localAddress: h.addressFor(42, run),
    concurrency: 100,
    connectTimeoutMs: 30_000,
  });
  await Promise.all([commenters.waitFor('ready', 10_000), quiet.waitFor('ready', 10_000)]);
  commenters.send({ cmd: 'connect' });
  quiet.send({ cmd: 'connect' });
  const [connected, quietConnected] = await Promise.all([commenters.waitFor('connected', 120_000), quiet.waitFor('connected', 120_000)]);
  h.log(`${system} storm: ${connected.joined}/${o.commenters} commenters and ${quietConnected.joined}/${o.quietProbes} quiet probes joined, ${connected.errors + quietConnected.errors} errors`);

  const startAt = nowMs() + 1500;
  await h.ask(gens, 'phase', 'phased', { phase, pingMs: o.pingMs, startAt, steadyFrom: startAt, lag: true });
  quiet.send({ cmd: 'probe', phase, startAt, pingMs: o.pingMs });
  await quiet.waitFor('probing', 10_000);
  const statsBefore = (await h.httpGet(port, '/stats', 2000))?.body ?? {};
  const rest = h.forkPinned(path.join(h.bench, 'storm-rest.mjs'), {
    port,
    room,
    phase,
    startAt,
    ramp,
    share: 0.5,
    seqOffset: 0,
    connections: o.restConnections,
    maxInFlight: 4000,
    tickMs: 5,
    answerWaitMs: o.answerWaitMs,
    localAddress: h.addressFor(40, run),
  });
  const health = h.forkPinned(path.join(h.bench, 'storm-health.mjs'), { port, startAt, durationMs: totalMs, everyMs: o.healthEveryMs, timeoutMs: 5000 });
  commenters.send({ cmd: 'go', phase, startAt, ramp, share: 0.5, seqOffset: 1, tickMs: 5, answerWaitMs: o.answerWaitMs });
  const waitMs = totalMs + o.answerWaitMs + 60_000;
  const done = Promise.all([rest.waitFor('published', waitMs), commenters.waitFor('published', waitMs), health.waitFor('polled', waitMs)]);

  // Sampled in the middle of every second: RSS, and CPU over the second before, of the
  // server (total and user) and of the load side (everything pinned to the load core).
  const serverPids = [server.pid, ...(server.workers ?? [])];
  const loadPids = [...gens.map((g) => g.pid), commenters.pid, quiet.pid, rest.pid, health.pid];
  const samples = new Map();
  const serverWait = new Map();
  const cpuOf = (pids, key) => pids.reduce((n, pid) => n + (procSample(pid)?.[key] ?? 0), 0);
  let finished = false;
  done.finally(() => (finished = true)).catch(() => {});
  let before = null;
  for (let second = -1; !finished; second++) {
    while (!finished && nowMs() < startAt + second * 1000 + 500) await sleep(Math.min(100, startAt + second * 1000 + 500 - nowMs()));
    if (finished) break;
    // The server's own estimate of the wait (what admission decides on), not awaited here.
    if (second >= 0) {
      const at = second;
      h.httpGet(port, '/stats', 900).then((res) => res?.body && serverWait.set(at, { delayMs: res.body.overloadDelayMs ?? null, level: res.body.overloadLevel ?? null, heapMB: res.body.heapUsedBytes ? res.body.heapUsedBytes / 1048576 : null }));
    }
    const t = nowMs();
    const now = { t, rss: serverPids.reduce((n, pid) => n + (procSample(pid)?.rss ?? 0), 0), cpu: cpuOf(serverPids, 'cpu'), user: cpuOf(serverPids, 'user'), load: cpuOf(loadPids, 'cpu') };
    if (before && second >= 0) {
      const dt = (t - before.t) / 1000;
      samples.set(second, {
        rssMB: now.rss ? now.rss / 1048576 : null,
        serverCpuPct: (100 * (now.cpu - before.cpu)) / dt,
        serverUserCpuPct: (100 * (now.user - before.user)) / dt,
        loadCpuPct: (100 * (now.load - before.load)) / dt,
      });
    }
    before = now;
  }
  const [pubRest, pubWs, polled] = await done;
  await h.drain(gens, window, o.drainMs);
  const reports = await h.ask(gens, 'report', 'report');
  quiet.send({ cmd: 'report' });
  const quietReport = await quiet.waitFor('report', 30_000);
  quiet.send({ cmd: 'close' });
  const statsAfter = (await h.httpGet(port, '/stats', 2000))?.body ?? {};
  const healthz = (await h.httpGet(port, '/healthz', 2000))?.status ?? null;
  commenters.send({ cmd: 'close' });

  const rssAfterDrainMB = serverPids.reduce((n, pid) => n + (procSample(pid)?.rss ?? 0), 0) / 1048576;
  return stormResult({ o, totalMs, ramp, pubRest, pubWs, polled, reports, quietReport, samples, serverWait, rssAfterDrainMB, statsBefore, statsAfter, healthz, server, connected });
}

/** Per-second rows, totals and the issue's verdicts from what every process reported. */
function stormResult({ o, totalMs, ramp, pubRest, pubWs, polled, reports, quietReport, samples, serverWait, rssAfterDrainMB, statsBefore, statsAfter, healthz, server, connected }) {
  const senders = [pubRest.counts, pubWs.counts];
  const acceptMs = mergeSeconds(new Map(), senders.map((c) => c.acceptMs));
  const refuseMs = mergeSeconds(new Map(), senders.map((c) => c.refuseMs));
  // The verdicts go by the quiet probes; the load generators' probes are shown beside them.
  const received = mergeSeconds(new Map(), [quietReport.acceptBySecond]);
  const sendReceived = mergeSeconds(new Map(), [quietReport.bySecond]);
  const ping = mergeSeconds(new Map(), [quietReport.pingBySecond]);
  const quietLag = mergeSeconds(new Map(), [quietReport.lagBySecond]);
  const loadedReceived = mergeSeconds(new Map(), reports.map((r) => r.acceptBySecond));
  const loadedPing = mergeSeconds(new Map(), reports.map((r) => r.pingBySecond));
  const healthRtt = mergeSeconds(new Map(), [polled.rtt]);
  const viewerLag = mergeSeconds(new Map(), reports.map((r) => r.lagBySecond));
  const senderLag = mergeSeconds(new Map(), [pubRest.lag, pubWs.lag]);
  const counts = new Map();
  for (const c of senders) {
    for (const [second, row] of c.seconds) {
      const into = counts.get(second) ?? { offered: 0, accepted: 0, refused429: 0, refusedRateLimited: 0, other: 0 };
      for (const key of Object.keys(into)) into[key] += row[key];
      counts.set(second, into);
    }
  }
  const lastSecond = Math.ceil(totalMs / 1000) - 1;
  const seconds = [];
  for (let s = 0; s <= lastSecond; s++) {
    const c = counts.get(s) ?? { offered: 0, accepted: 0, refused429: 0, refusedRateLimited: 0, other: 0 };
    seconds.push({
      s,
      target: Math.round(rampDue((s + 1) * 1000, ramp) - rampDue(s * 1000, ramp)),
      ...c,
      refusalP99: p99Of(refuseMs, s),
      acceptAnswerP99: p99Of(acceptMs, s),
      receivedP99: p99Of(received, s),
      receivedN: nOf(received, s),
      sendReceivedP99: p99Of(sendReceived, s),
      loadedReceivedP99: p99Of(loadedReceived, s),
      loadedPingP99: p99Of(loadedPing, s),
      quietLagP99: p99Of(quietLag, s),
      healthP99: p99Of(healthRtt, s),
      healthN: nOf(healthRtt, s),
      pingP99: p99Of(ping, s),
      pingN: nOf(ping, s),
      rssMB: samples.get(s)?.rssMB ?? null,
      serverCpuPct: samples.get(s)?.serverCpuPct ?? null,
      serverUserCpuPct: samples.get(s)?.serverUserCpuPct ?? null,
      loadCpuPct: samples.get(s)?.loadCpuPct ?? null,
      serverDelayMs: serverWait.get(s)?.delayMs ?? null,
      overloadLevel: serverWait.get(s)?.level ?? null,
      heapMB: serverWait.get(s)?.heapMB ?? null,
      viewerLagP99: p99Of(viewerLag, s),
      senderLagP99: p99Of(senderLag, s),
    });
  }
  const total = (key) => seconds.reduce((n, r) => n + r[key], 0);

  // Loss on probes: every accepted comment (REST even seqs, COMMENT odd) must arrive, or
  // be one of the items the server thinned and counted (each probe misses every one of
  // those). The verdict goes by the quiet probes, which read as fast as the server sends:
  // a load generator's probe on a saturated core falls behind, and the server then skips
  // whole frames for it as for any slow consumer (PROTOCOL.md's rules; counted in /stats
  // as dropped), which is shown beside it.
  const accepted = SeqSet.fromBase64(pubRest.accepted);
  const ws = SeqSet.fromBase64(pubWs.accepted);
  for (let s = 0; s <= ws.max; s++) if (ws.bits[s]) accepted.add(s);
  const thinned = (statsAfter.thinned ?? 0) - (statsBefore.thinned ?? 0);
  const lossOf = (probes) => {
    const loss = { probes: 0, expected: 0, lost: 0, dupes: 0 };
    for (const probe of probes) {
      if (!probe.joined) continue;
      loss.probes++;
      loss.dupes += probe.dupes;
      const seen = SeqSet.fromBase64(probe.seen);
      for (let s = 0; s <= accepted.max; s++) {
        if (!accepted.bits[s]) continue;
        loss.expected++;
        if (!seen.has(s)) loss.lost++;
      }
    }
    loss.unaccounted = Math.max(0, loss.lost - thinned * loss.probes);
    return loss;
  };
  const quietLoss = lossOf(quietReport.probes);
  const loadedLoss = lossOf(reports.flatMap((r) => r.probes));
  const skippedFrames = (statsAfter.dropped ?? 0) - (statsBefore.dropped ?? 0);
  const slowClosed = (statsAfter.slowClosed ?? 0) - (statsBefore.slowClosed ?? 0);
  const expected = quietLoss.expected;
  const lost = quietLoss.lost;
  const probesJoined = quietLoss.probes;
  const dupes = quietLoss.dupes + loadedLoss.dupes;
  const unaccountedLost = quietLoss.unaccounted;

  const rssList = seconds.map((r) => r.rssMB).filter((v) => v !== null);
  const third = Math.max(1, Math.floor(rssList.length / 3));
  const mean = (list) => (list.length ? list.reduce((a, b) => a + b, 0) / list.length : null);
  const rssFirst = mean(rssList.slice(0, third));
  const rssLast = mean(rssList.slice(-third));
  const rssAllowedMB = Math.max(25, 0.1 * (rssFirst ?? 0));

  const refusalWhole = wholeStats(refuseMs);
  const worst = (key) => seconds.reduce((m, r) => (r[key] !== null && (m === null || r[key] > m) ? r[key] : m), null);
  const over = (key, limit) => seconds.filter((r) => r[key] !== null && r[key] > limit).map((r) => r.s);
  // A second in which no PING (or /healthz poll) sent got its answer: the one before was
  // still waiting, longer than the target; it counts as a second over.
  const silent = (key) => seconds.filter((r) => r[key] === 0).map((r) => r.s);
  const verdicts = {
    latency: { ok: over('receivedP99', 1000).length === 0 && total('receivedN') > 0, worst: worst('receivedP99'), secondsOver: over('receivedP99', 1000) },
    refusal: { ok: refusalWhole.n === 0 || refusalWhole.p99 <= 50, p99: refusalWhole.p99, n: refusalWhole.n, worst: worst('refusalP99') },
    healthz: { ok: over('healthP99', 100).length + silent('healthN').length === 0 && polled.failed === 0, p99: wholeStats(healthRtt).p99, worst: worst('healthP99'), secondsOver: over('healthP99', 100), secondsSilent: silent('healthN'), failed: polled.failed },
    ping: { ok: over('pingP99', 100).length + silent('pingN').length === 0, p99: wholeStats(ping).p99, worst: worst('pingP99'), secondsOver: over('pingP99', 100), secondsSilent: silent('pingN') },
    loss: { ok: expected > 0 && unaccountedLost === 0, unaccountedLost, lost, expected },
    rss: { ok: rssFirst !== null && rssLast - rssFirst <= rssAllowedMB, firstThirdMB: rssFirst, lastThirdMB: rssLast, allowedMB: rssAllowedMB, peakMB: Math.max(...rssList), afterDrainMB: rssAfterDrainMB, heapAfterDrainMB: statsAfter.heapUsedBytes ? statsAfter.heapUsedBytes / 1048576 : null },
  };
  return {
    viewers: o.viewers,
    commenters: o.commenters,
    commentersJoined: connected.joined,
    base: o.base,
    peak: o.peak,
    rampSeconds: o.upMs / 1000,
    restConnections: o.restConnections,
    seconds,
    offered: total('offered'),
    accepted: total('accepted'),
    refused429: total('refused429'),
    refusedRateLimited: total('refusedRateLimited'),
    refusedOther: total('other'),
    httpStatuses: pubRest.statuses,
    wsErrors: pubWs.errors,
    wsCloseCodes: pubWs.closeCodes,
    refusedLocally: pubRest.refusedLocally,
    deliveredToProbes: expected - lost,
    probesJoined,
    probeExpected: expected,
    probeLost: lost,
    dupes,
    thinned,
    unaccountedLost,
    loadedProbeLost: loadedLoss.lost,
    loadedProbeExpected: loadedLoss.expected,
    loadedUnaccountedLost: loadedLoss.unaccounted,
    skippedFrames,
    slowClosed,
    overloadRefusedRest: (statsAfter.overloadRefusedRest ?? 0) - (statsBefore.overloadRefusedRest ?? 0),
    overloadRefusedWs: (statsAfter.overloadRefusedWs ?? 0) - (statsBefore.overloadRefusedWs ?? 0),
    refusalP99: refusalWhole.p99,
    viewerLagP99: wholeStats(viewerLag).p99,
    quietLagP99: wholeStats(quietLag).p99,
    loadedPingP99: wholeStats(loadedPing).p99,
    loadedReceivedP99: wholeStats(loadedReceived).p99,
    quietProbes: o.quietProbes,
    quietProbesJoined: quietReport.probes.filter((p) => p.joined).length,
    senderLagP99: wholeStats(senderLag).p99,
    healthzFailed: polled.failed,
    verdicts,
    healthz,
    serverAlive: !server.child.exitInfo,
  };
}

// ---- tables ----------------------------------------------------------------------------
const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const yes = (v) => (v.ok ? 'holds' : '**does not hold**');

/** Per-second rows, medians over a system's runs second by second. */
export function stormSecondsTable(list) {
  const out = [
    '| s | target /s | offered | accepted | refused 429 | refused RATE_LIMITED | other | refusal p99 ms | send→accept p99 ms | accepted→received p99 ms | … on load-generator probes | /healthz p99 ms | PING p99 ms | … on load-generator probes | RSS MB (heap used) | server CPU % (user) | server wait estimate ms (level) | load-core CPU % | lag p99 ms: quiet probes / load generators / senders |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const n = Math.max(...list.map((r) => r.seconds.length));
  for (let s = 0; s < n; s++) {
    const rows = list.map((r) => r.seconds[s]).filter(Boolean);
    const m = (key) => median(rows.map((r) => r[key]));
    out.push(`| ${s} | ${fmt(m('target'))} | ${fmt(m('offered'))} | ${fmt(m('accepted'))} | ${fmt(m('refused429'))} | ${fmt(m('refusedRateLimited'))} | ${fmt(m('other'))} | ${fmt(m('refusalP99'), 1)} | ${fmt(m('acceptAnswerP99'), 1)} | ${fmt(m('receivedP99'))} | ${fmt(m('loadedReceivedP99'))} | ${fmt(m('healthP99'), 1)} | ${fmt(m('pingP99'), 1)} | ${fmt(m('loadedPingP99'))} | ${fmt(m('rssMB'))} (${fmt(m('heapMB'))}) | ${fmt(m('serverCpuPct'))} (${fmt(m('serverUserCpuPct'))}) | ${fmt(m('serverDelayMs'))} (${fmt(m('overloadLevel'))}) | ${fmt(m('loadCpuPct'))} | ${fmt(m('quietLagP99'))} / ${fmt(m('viewerLagP99'))} / ${fmt(m('senderLagP99'))} |`);
  }
  return out.join('\n');
}

/** The summary (medians over runs) and the verdicts, per system. */
export function stormSummary(rows) {
  const ok = rows.filter((r) => !r.error);
  const bySystem = new Map();
  for (const r of ok) {
    if (!bySystem.has(r.system)) bySystem.set(r.system, []);
    bySystem.get(r.system).push(r);
  }
  const out = [];
  const failed = rows.filter((r) => r.error);
  const x = ok[0];
  if (x) out.push(`${x.viewers} viewers (${x.commenters} of them sending COMMENT) in 1 room; ${x.base} → ${x.peak} → ${x.base} comments/s over ${x.rampSeconds} s + ${x.rampSeconds} s, half REST (${x.restConnections} keep-alive connections), half COMMENT. accepted→received from the item's server \`ts\` (its accept) to the probe's receive; seconds by send time. Latency, PING and loss verdicts go by ${x.quietProbes} quiet probes (a light process of their own on the load core); the load generators' 100 probes and 20 PINGers are shown beside them: where their core is saturated (load-core CPU near 100 %, their lag below), they measure their own backlog too, and the server skips whole frames for them as for any slow consumer.`, '');
  out.push('| system | runs | offered | accepted | refused 429 | refused RATE_LIMITED | other | refusal p99 ms (worst second) | accepted→received worst-second p99 ms (load-generator probes, whole run) | /healthz p99 ms (worst second) | PING p99 ms (worst second; load-generator probes) | quiet-probe loss (thinned × probes explains) | unaccounted loss, quiet probes (load-generator probes; frames the server skipped for slow consumers) | thinned | RSS first → last third MB (peak) | healthz after |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [system, list] of bySystem) {
    const m = (f) => median(list.map(f));
    const v = (key, field) => m((r) => r.verdicts[key][field]);
    out.push(`| ${system} | ${list.length} | ${fmt(m((r) => r.offered))} | ${fmt(m((r) => r.accepted))} | ${fmt(m((r) => r.refused429))} | ${fmt(m((r) => r.refusedRateLimited))} | ${fmt(m((r) => r.refusedOther))} | ${fmt(v('refusal', 'p99'), 1)} (${fmt(v('refusal', 'worst'), 1)}) | ${fmt(v('latency', 'worst'))} (${fmt(m((r) => r.loadedReceivedP99))}) | ${fmt(v('healthz', 'p99'), 1)} (${fmt(v('healthz', 'worst'), 1)}) | ${fmt(v('ping', 'p99'), 1)} (${fmt(v('ping', 'worst'), 1)}; ${fmt(m((r) => r.loadedPingP99))}) | ${list.map((r) => `${r.probeLost}/${r.probeExpected}`).join(', ')} | ${list.map((r) => `${r.unaccountedLost} (${r.loadedUnaccountedLost ?? '–'}; ${r.skippedFrames ?? '–'})`).join(', ')} | ${fmt(m((r) => r.thinned))} | ${fmt(v('rss', 'firstThirdMB'))} → ${fmt(v('rss', 'lastThirdMB'))} (${fmt(v('rss', 'peakMB'))}) | ${list.map((r) => r.healthz).join('/')} |`);
  }
  for (const r of failed) out.push(`| ${r.system} | failed: ${r.error} |`);
  out.push('');
  for (const r of ok) out.push(`- ${r.system} run ${r.run}: HTTP ${JSON.stringify(r.httpStatuses)}, not sent (too many in flight) ${r.refusedLocally}; COMMENT errors ${JSON.stringify(r.wsErrors)}, close codes ${JSON.stringify(r.wsCloseCodes)}; commenters joined ${r.commentersJoined}/${r.commenters}; server counted overload refusals REST ${r.overloadRefusedRest}, COMMENT ${r.overloadRefusedWs}; quiet probes joined ${r.quietProbesJoined}/${r.quietProbes}; event-loop lag p99 of the load processes: quiet probes ${fmt(r.quietLagP99)} ms, load generators ${fmt(r.viewerLagP99)} ms, senders ${fmt(r.senderLagP99)} ms (what they add to the latencies they measure).`);
  for (const [system, list] of bySystem) {
    out.push('', `Targets, ${system} (per run):`, '', '| target | measured per run | verdict per run |', '|---|---|---|');
    const each = (f) => list.map(f).join('; ');
    out.push(`| p99 accepted→received ≤ 1 s in every second (quiet probes) | worst second ${each((r) => `${fmt(r.verdicts.latency.worst)} ms${r.verdicts.latency.secondsOver.length ? ` (over in s ${r.verdicts.latency.secondsOver.join(',')})` : ''}`)} | ${each((r) => yes(r.verdicts.latency))} |`);
    out.push(`| refusals answered with p99 ≤ 50 ms | ${each((r) => `${fmt(r.verdicts.refusal.p99, 1)} ms over ${r.verdicts.refusal.n} refusals`)} | ${each((r) => yes(r.verdicts.refusal))} |`);
    out.push(`| /healthz p99 ≤ 100 ms in every second | ${each((r) => `whole ${fmt(r.verdicts.healthz.p99, 1)}, worst second ${fmt(r.verdicts.healthz.worst, 1)} ms, ${r.verdicts.healthz.secondsOver.length} seconds over, ${r.verdicts.healthz.secondsSilent?.length ?? 0} without an answer, ${r.verdicts.healthz.failed} failed`)} | ${each((r) => yes(r.verdicts.healthz))} |`);
    out.push(`| PING p99 ≤ 100 ms in every second (quiet probes) | ${each((r) => `whole ${fmt(r.verdicts.ping.p99, 1)}, worst second ${fmt(r.verdicts.ping.worst, 1)} ms, ${r.verdicts.ping.secondsOver.length} seconds over, ${r.verdicts.ping.secondsSilent?.length ?? 0} without an answered PING`)} | ${each((r) => yes(r.verdicts.ping))} |`);
    out.push(`| no accepted comment lost beyond the counted thinning | ${each((r) => `${r.unaccountedLost} unaccounted on the quiet probes (${r.probeLost} lost, ${r.thinned} thinned × ${r.probesJoined} probes); load-generator probes ${r.loadedUnaccountedLost ?? '–'} unaccounted, server skipped ${r.skippedFrames ?? '–'} frames for slow consumers and closed ${r.slowClosed ?? '–'}`)} | ${each((r) => yes(r.verdicts.loss))} |`);
    out.push(`| RSS flat (last third − first third ≤ max(25 MB, 10 %)) | ${each((r) => `${fmt(r.verdicts.rss.firstThirdMB)} → ${fmt(r.verdicts.rss.lastThirdMB)} MB, peak ${fmt(r.verdicts.rss.peakMB)}, after the drain ${fmt(r.verdicts.rss.afterDrainMB)} (heap used ${fmt(r.verdicts.rss.heapAfterDrainMB)})`)} | ${each((r) => yes(r.verdicts.rss))} |`);
  }
  return out.join('\n');
}

/** What the runner prints for the scenario: the summary, then each system's seconds. */
export function stormTable(rows) {
  const out = [stormSummary(rows)];
  const systems = [...new Set(rows.filter((r) => !r.error).map((r) => r.system))];
  for (const system of systems) {
    const list = rows.filter((r) => r.system === system && !r.error);
    out.push('', `Per second, ${system} (${list.length > 1 ? `medians over ${list.length} runs` : 'one run'}; by send time):`, '', stormSecondsTable(list));
  }
  return out.join('\n');
}
