// The `cluster` scenario's table: project (in memory) vs project-redis vs project-cluster,
// with "where the time goes" (server, Redis, load generators + publisher, everything else).
import { median } from './common.mjs';

const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const med = (list, f) => median(list.map(f));

export function clusterTable(rows) {
  const bySystem = new Map();
  for (const r of rows) {
    if (!bySystem.has(r.system)) bySystem.set(r.system, []);
    bySystem.get(r.system).push(r);
  }
  const out = [];
  out.push('| system | runs | delivered/s | frames/s | p50 ms | p99 ms | probe loss per run | accepted/attempted | server CPU % (processes) | Redis CPU % | loadgen + publisher CPU % | other CPU % (loopback, softirq, rest) | machine busy % | healthz |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [system, list] of bySystem) {
    const ok = list.filter((r) => !r.error);
    const loss = ok.map((r) => `${r.probeLost}/${r.probeExpected}`).join(', ');
    const procs = ok[0]?.serverProcesses ?? 1;
    const workers = ok[0]?.workersCpuPct?.length ? `; workers ${ok.map((r) => r.workersCpuPct.map((c) => fmt(c)).join('+')).join(', ')}` : '';
    out.push(
      `| ${system} | ${ok.length}/${list.length} | ${fmt(med(ok, (r) => r.deliveredPerS))} | ${fmt(med(ok, (r) => r.framesPerS))} | ${fmt(med(ok, (r) => r.p50), 1)} | ${fmt(med(ok, (r) => r.p99), 1)} | ${loss} | ${fmt(med(ok, (r) => r.accepted))}/${fmt(med(ok, (r) => r.attempted))} | ${fmt(med(ok, (r) => r.serverCpuPct))} (${procs}${workers}) | ${fmt(med(ok, (r) => r.redisCpuPct))} | ${fmt(med(ok, (r) => r.loadgenCpuPct + r.publisherCpuPct))} | ${fmt(med(ok, (r) => r.foreignCpuPct))} | ${fmt(med(ok, (r) => r.machineBusyPct))} | ${ok.map((r) => r.healthz).join('/')} |`,
    );
  }
  return out.join('\n');
}
