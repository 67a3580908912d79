// Tables and target checks from a results file: node bench/summarize.mjs bench/results/NAME.jsonl
// Medians over runs; per-run values where a median would hide something (loss).
import { readFileSync } from 'node:fs';
import { median } from './lib/common.mjs';
import { clusterTable } from './lib/cluster-table.mjs';
import { stormSummary } from './lib/storm.mjs';
import { NONE_ARRIVED, comparisonTable, deflateLabel, steadyLatency as steady } from './lib/comparison-table.mjs';
import { reconnectTable } from './lib/reconnect.mjs';

const file = process.argv[2];
const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l));
// --exclude system:scenario:run (repeatable): leave out a run known to be spoiled, and say so.
const excluded = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--exclude' ? [a] : []));
const isExcluded = (r) => excluded.includes(`${r.system}:${r.scenario}:${r.run}`);
const results = rows.filter((r) => r.type === 'result' && !r.error && !isExcluded(r));
const errors = rows.filter((r) => r.type === 'result' && r.error);
const machine = rows.find((r) => r.type === 'machine');
// In table order; a system with no results in the file is left out (project-stream,
// project-baseline, project-deflate and ws-deflate only run when asked for).
const SYSTEMS = ['project', 'project-baseline', 'project-stream', 'project-deflate', 'ceiling', 'ceiling-stream', 'ws-deflate', 'naive', 'socketio'];
const DEFLATE_SYSTEMS = ['project', 'project-deflate', 'ws-deflate', 'ceiling'];

const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const med = (list, f) => median(list.map(f));
const latency = (list, key) => {
  const value = med(list, steady(key));
  return value === NONE_ARRIVED ? 'none arrived' : fmt(value);
};
const of = (scenario, system) => results.filter((r) => r.scenario === scenario && r.system === system);
const cpuPerFrameUs = (r) => (r.framesPerS ? (1e4 * r.serverCpuPct) / r.framesPerS : null);
const rssGrowth = (r) => {
  const s = (r.rssSeriesMB ?? []).slice(Math.min(3, Math.floor((r.rssSeriesMB ?? []).length / 4)));
  return s.length >= 2 ? s[s.length - 1] - s[0] : null;
};

const out = [];
const say = (line = '') => out.push(line);
if (machine) say(`Machine: ${machine.cpus} cores (${machine.cpuModel}), Node ${machine.node}, ws ${machine.ws}, open files ${machine.openFiles}, commit ${machine.commit}${machine.baseline ? `; project-baseline is ${machine.baseline.ref} (${machine.baseline.sha.slice(0, 12)})` : ''}.`);
say();

for (const scenario of ['big-room', 'many-rooms', 'flood']) {
  const any = results.filter((r) => r.scenario === scenario);
  if (any.length === 0) continue;
  const x = any[0];
  say(`### ${scenario}: ${x.viewers} viewers, ${x.rooms} room(s), ${x.rate} comments/s, window ${x.window} ms, ${x.durationS} s`);
  say();
  say('| system | runs | deflate | delivered/s | frames/s | frames/member/s | items/frame | MB/s | bytes/comment | p50 ms | p99 ms | max ms | p99 whole phase ms | p99 accept→receive ms | PING p99 ms | probe loss per run (lost/expected) | thinned | accepted/attempted | server CPU % (user) | CPU µs/1k items (user) | CPU µs/frame | loadgen CPU % | publisher CPU % | other CPU % | RSS MB | RSS growth MB | KB/conn | healthz |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const system of SYSTEMS) {
    const list = of(scenario, system);
    if (list.length === 0) continue;
    say(
      `| ${system} | ${list.length} | ${deflateLabel(list[0])} | ${fmt(med(list, (r) => r.deliveredPerS))} | ${fmt(med(list, (r) => r.framesPerS))} | ${fmt(med(list, (r) => r.framesPerMemberPerS), 2)} | ${fmt(med(list, (r) => r.itemsPerFrame), 1)} | ${fmt(med(list, (r) => r.MBps), 1)} | ${fmt(med(list, (r) => r.bytesPerItem), 1)} | ${latency(list, 'p50')} | ${latency(list, 'p99')} | ${latency(list, 'max')} | ${fmt(med(list, (r) => r.wholeP99))} | ${fmt(med(list, (r) => r.acceptP99))} | ${fmt(med(list, (r) => r.pingP99))} | ${list.map((r) => `${r.probeLost}/${r.probeExpected}`).join(', ')} | ${fmt(med(list, (r) => r.thinned))} | ${fmt(med(list, (r) => r.accepted))}/${fmt(med(list, (r) => r.attempted))} | ${fmt(med(list, (r) => r.serverCpuPct))} (${fmt(med(list, (r) => r.serverUserCpuPct))}) | ${fmt(med(list, (r) => r.serverCpuUsPerKItem))} (${fmt(med(list, (r) => r.serverUserUsPerKItem))}) | ${fmt(med(list, cpuPerFrameUs), 1)} | ${fmt(med(list, (r) => r.loadgenCpuPct))} | ${fmt(med(list, (r) => r.publisherCpuPct))} | ${fmt(med(list, (r) => r.foreignCpuPct))} | ${fmt(med(list, (r) => r.rssMB))} | ${fmt(med(list, rssGrowth))} | ${fmt(med(list, (r) => r.kbPerConn), 1)} | ${list.map((r) => (r.killed ? 'killed' : r.healthz ?? 'none')).join('/')} |`,
    );
  }
  say();
}

for (const scenario of ['cluster-big-room', 'cluster-many-rooms']) {
  const any = results.filter((r) => r.scenario === scenario);
  if (any.length === 0) continue;
  const x = any[0];
  say(`### ${scenario}: ${x.viewers} viewers, ${x.rooms} room(s), ${x.rate} comments/s, window ${x.window} ms, ${x.durationS} s`);
  say();
  say(clusterTable(results.filter((r) => r.scenario === scenario)));
  say();
}

const cap = results.filter((r) => r.scenario === 'capacity');
if (cap.length) {
  say(`### capacity: ${cap[0].viewers} joined idle connections held ${cap[0].holdS} s`);
  say();
  say('| system | runs | deflate | joined | connect/s | join p50 ms | join p99 ms | connect errors | closed during hold | server connections | idle RSS MB | RSS MB | KB/conn | server CPU % | other CPU % | healthz |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const system of SYSTEMS) {
    const list = of('capacity', system);
    if (list.length === 0) continue;
    say(`| ${system} | ${list.length} | ${deflateLabel(list[0])} | ${fmt(med(list, (r) => r.joined))} | ${fmt(med(list, (r) => r.connectPerS))} | ${fmt(med(list, (r) => r.joinP50), 1)} | ${fmt(med(list, (r) => r.joinP99), 1)} | ${fmt(med(list, (r) => r.connectErrors))} | ${fmt(med(list, (r) => r.closedAfterJoin))} | ${fmt(med(list, (r) => r.serverConnections))} | ${fmt(med(list, (r) => r.idleRssMB))} | ${fmt(med(list, (r) => r.rssMB))} | ${fmt(med(list, (r) => r.kbPerConn), 2)} | ${fmt(med(list, (r) => r.serverCpuPct), 1)} | ${fmt(med(list, (r) => r.foreignCpuPct))} | ${list.map((r) => r.healthz).join('/')} |`);
  }
  say();
}

const rc = results.filter((r) => r.scenario === 'reconnect');
if (rc.length) {
  say(`### reconnect: ${rc[0].viewers} viewers in ${rc[0].rooms} room(s), the server restarted (SIGTERM, 1012, started again), back with the page's backoff and JOIN {since, epoch}`);
  say();
  say(reconnectTable(rc));
  say();
}

const mr = results.filter((r) => r.scenario === 'maxrate');
if (mr.length) {
  say(`### maxrate: largest comment rate into one ${mr[0].viewers}-viewer room keeping p99 < 1 s (accepted ≥ 95 %, loss not explained by thinning ≤ 1 %)`);
  say();
  say('| system | largest passing rate /s | steps: rate → p99 ms, accepted/attempted, delivered/s, server CPU % |');
  say('|---|---|---|');
  for (const system of SYSTEMS) {
    const list = of('maxrate', system);
    if (list.length === 0) continue;
    const r = list[0];
    const steps = r.steps.map((s) => `${s.rate} → ${fmt(s.p99)}, ${s.accepted}/${s.attempted}, ${fmt(s.deliveredPerS)}, ${fmt(s.serverCpuPct)}%${s.ok ? '' : ' **fail**'}`).join('; ');
    say(`| ${system} | ${r.maxRate === 0 ? `< ${r.steps[0].rate}` : r.maxRate} | ${steps} |`);
  }
  say();
}

// ---- comparisons ---------------------------------------------------------------------
/** Per scenario, a comparisonTable of `systems` against `reference`, under `note`; nothing when no scenario has both. */
const compare = (title, note, reference, systems) => {
  const tables = [];
  for (const scenario of ['big-room', 'many-rooms', 'flood', 'capacity']) {
    const list = results.filter((r) => r.scenario === scenario && systems.includes(r.system));
    if (!list.some((r) => r.system === reference) || !list.some((r) => r.system !== reference)) continue;
    tables.push(`### ${title}: ${scenario}`, '', comparisonTable(list, reference, systems), '');
  }
  if (tables.length === 0) return;
  say(note);
  say();
  for (const line of tables) say(line);
};
const b = machine?.baseline;
compare(
  'project vs project-baseline',
  `Ratios: this system's median over project-baseline's${b ? ` (${b.ref} = ${b.sha.slice(0, 12)})` : ''}; CPU per delivered comment as user + system time, and user time alone.`,
  'project-baseline',
  ['project-baseline', 'project'],
);
if (results.some((r) => r.deflate)) {
  compare(
    'permessage-deflate',
    "Compression: bytes are WebSocket bytes received per delivered comment (compressed where negotiated; items in frames a counting connection did not inflate are taken from the room's probes); ratios are this system's median over plain project's; CPU per delivered comment as user + system time, and user time alone.",
    'project',
    DEFLATE_SYSTEMS,
  );
}

const storm = rows.filter((r) => r.type === 'result' && r.scenario === 'storm' && !isExcluded(r));
if (storm.length) {
  say('### storm');
  say();
  say(stormSummary(storm));
  say();
}

// ---- targets -------------------------------------------------------------------------
const yes = (b) => (b === null ? 'n/a' : b ? 'holds' : '**does not hold**');
const m = (scenario, system, f) => med(of(scenario, system), f);
const targetsAt = out.length;
say('### Targets (medians)');
say();
say('| target | measured | verdict |');
say('|---|---|---|');
const targetRowsAt = out.length;
if (of('big-room', 'project').length && of('big-room', 'ceiling').length) {
  const pl = of('big-room', 'project').map((r) => r.probeLost);
  say(`| big-room zero loss | project probe loss per run ${pl.join(', ')} | ${yes(pl.every((x) => x === 0))} |`);
  const d = m('big-room', 'project', (r) => r.deliveredPerS) / m('big-room', 'ceiling', (r) => r.deliveredPerS);
  say(`| big-room delivered/s ≥ 95 % of ceiling | ${fmt(100 * d)} % | ${yes(d >= 0.95)} |`);
  const p99 = med(of('big-room', 'project'), steady('p99'));
  const cp99 = med(of('big-room', 'ceiling'), steady('p99'));
  const w = of('big-room', 'project')[0].window;
  const wp99 = m('big-room', 'project', (r) => r.wholeP99);
  const wcp99 = m('big-room', 'ceiling', (r) => r.wholeP99);
  say(`| big-room p99 ≤ window + 250 ms (${w + 250}) and ≤ 1.25× ceiling | ${fmt(p99)} ms vs ceiling ${fmt(cp99)} ms (${fmt(p99 / cp99, 2)}×); whole phase, warm-up included: ${fmt(wp99)} vs ${fmt(wcp99)} ms | ${yes(p99 <= w + 250 && p99 <= 1.25 * cp99)} |`);
  const p50 = med(of('big-room', 'project'), steady('p50'));
  const cp50 = med(of('big-room', 'ceiling'), steady('p50'));
  say(`| big-room p50 ≤ 1.15× ceiling | ${fmt(p50)} ms vs ceiling ${fmt(cp50)} ms (${fmt(p50 / cp50, 2)}×) | ${yes(p50 <= 1.15 * cp50)} |`);
  const c = m('big-room', 'project', (r) => r.serverCpuUsPerKItem) / m('big-room', 'ceiling', (r) => r.serverCpuUsPerKItem);
  const cu = m('big-room', 'project', (r) => r.serverUserUsPerKItem) / m('big-room', 'ceiling', (r) => r.serverUserUsPerKItem);
  const cf = m('big-room', 'project', cpuPerFrameUs) / m('big-room', 'ceiling', cpuPerFrameUs);
  say(`| big-room server CPU (user + system) per delivered comment ≤ 1.05× ceiling | ${fmt(c, 2)}× per comment (${fmt(cf, 2)}× per frame); user CPU alone ${fmt(cu, 2)}× | ${yes(c <= 1.05)} |`);
}
if (of('many-rooms', 'project').length) {
  const list = of('many-rooms', 'project');
  const w = list[0].window;
  say(`| many-rooms zero loss | probe loss per run ${list.map((r) => r.probeLost).join(', ')} | ${yes(list.every((r) => r.probeLost === 0))} |`);
  say(`| many-rooms ${list[0].rate}/s accepted in full | ${list.map((r) => `${r.accepted}/${r.attempted}`).join(', ')} | ${yes(list.every((r) => r.accepted === r.attempted))} |`);
  const p99 = med(of('many-rooms', 'project'), steady('p99'));
  const wp99 = m('many-rooms', 'project', (r) => r.wholeP99);
  say(`| many-rooms p99 ≤ window + 250 ms | ${fmt(p99)} ms; whole phase, warm-up included: ${fmt(wp99)} ms | ${yes(p99 <= w + 250)} |`);
}
if (of('flood', 'project').length) {
  const list = of('flood', 'project');
  const w = list[0].window;
  say(`| flood: server up, /healthz 200 | ${list.map((r) => r.healthz).join(', ')} | ${yes(list.every((r) => r.healthz === 200))} |`);
  const f = m('flood', 'project', (r) => r.framesPerMemberPerS);
  say(`| flood frames/member/s ≤ 1000/window + 1 (${1000 / w + 1}) | ${fmt(f, 2)} | ${yes(f <= 1000 / w + 1)} |`);
  say(`| flood RSS flat | growth after warm-up per run (MB): ${list.map((r) => rssGrowth(r)).join(', ')}; series ${list.map((r) => `[${r.rssSeriesMB.join(' ')}]`).join(' ')} | ${yes(list.every((r) => rssGrowth(r) !== null && rssGrowth(r) <= 50))} (≤ 50 MB) |`);
  say(`| flood: everything left out counted as thinned | probe loss not explained by thinning per run: ${list.map((r) => r.unaccountedLost).join(', ')} | ${yes(list.every((r) => r.unaccountedLost === 0))} |`);
}
if (of('capacity', 'project').length) {
  const list = of('capacity', 'project');
  const r = list[0];
  say(`| capacity ${r.viewers} joined for ${r.holdS} s, zero errors | joined ${list.map((x) => x.joined).join(', ')}, errors ${list.map((x) => x.connectErrors + x.closedAfterJoin).join(', ')} | ${yes(list.every((x) => x.joined === x.viewers && x.connectErrors === 0 && x.closedAfterJoin === 0))} |`);
  const kb = m('capacity', 'project', (x) => x.kbPerConn);
  say(`| capacity ≤ 10 KB RSS per connection | ${fmt(kb, 1)} KB | ${yes(kb <= 10)} |`);
  if (of('capacity', 'ceiling').length) {
    const rate = m('capacity', 'project', (x) => x.connectPerS) / m('capacity', 'ceiling', (x) => x.connectPerS);
    const p99 = m('capacity', 'project', (x) => x.joinP99) / m('capacity', 'ceiling', (x) => x.joinP99);
    say(`| join storm: connect + upgrade + JOIN rate ≥ 90 % of the ceiling's | ${fmt(100 * rate)} % | ${yes(rate >= 0.9)} |`);
    say(`| join storm: join p99 ≤ 1.25× the ceiling's | ${fmt(p99, 2)}× | ${yes(p99 <= 1.25)} |`);
  }
}
for (const system of ['project-redis', 'project']) {
  const list = of('reconnect', system);
  if (list.length === 0) continue;
  const worst = (f) => Math.max(...list.map((r) => f(r) ?? Infinity));
  const errors = list.map((r) => r.connectErrors + r.joinErrors + r.notBack);
  say(`| reconnect (${system}): 99 % rejoined after the restart's SIGTERM | ${list.map((r) => fmt(r.back99S, 2)).join(', ')} s (from listen ${list.map((r) => fmt(r.back99FromListenS, 2)).join(', ')} s), 100 % ${list.map((r) => fmt(r.back100S, 2)).join(', ')} s | ${yes(worst((r) => r.back100S) < Infinity)} (all back) |`);
  say(`| reconnect (${system}): resumed without a gap, errors zero | gap: true ${list.map((r) => r.gaps).join(', ')}; errors after listen ${errors.join(', ')} | ${system === 'project' ? 'gaps expected (history in memory)' : yes(list.every((r) => r.gaps === 0))}; errors ${yes(errors.every((e) => e === 0))} |`);
}
if (of('maxrate', 'project').length) {
  const p = of('maxrate', 'project')[0].maxRate;
  const s = of('maxrate', 'socketio')[0]?.maxRate;
  const n = of('maxrate', 'naive')[0]?.maxRate;
  say(`| max rate: project ≥ 20× socketio, ≥ 10× naive | project ${p}, socketio ${s}, naive ${n} (a 0 means even the lowest step failed) | ${yes(s !== undefined && n !== undefined ? p >= 20 * Math.max(s, 1) && p >= 10 * Math.max(n, 1) : null)} |`);
}
// A storm alone has no median targets: its verdicts are per run, in its own table.
if (out.length === targetRowsAt) out.length = targetsAt;
else say();
if (excluded.length) say(`Left out by request: ${excluded.join(', ')}.`);
if (errors.length) {
  say(`Runs that failed: ${errors.map((e) => `${e.system} ${e.scenario} #${e.run}: ${e.error}`).join('; ')}`);
}
console.log(out.join('\n'));
