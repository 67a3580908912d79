// Tables that set systems beside a reference system (project vs project-baseline, the
// compression systems vs plain project): medians, and each median over the reference's.
import { median } from './common.mjs';

const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) || !Number.isFinite(v) ? '—' : Number(v).toFixed(d));
const med = (list, f) => median(list.map(f));

// A run where no comment published after the warm-up arrived has no steady latency: it
// ranks above every measured one (a median must not skip it) and shows as such.
export const NONE_ARRIVED = Number.POSITIVE_INFINITY;
export const steadyLatency = (key) => (r) => r[key] ?? (r.wholeP99 === null || r.wholeP99 === undefined ? null : NONE_ARRIVED);

/** What a result's viewers negotiated: off (not offered), declined, or yes (per connection). */
export function deflateLabel(r) {
  const d = r?.deflate;
  if (!d) return 'off';
  if (d.negotiated === 0) return 'declined';
  const all = d.negotiated === r.joined ? 'yes' : `${d.negotiated}/${r.joined}`;
  return d.contextTakeover ? `${all}, context takeover` : all;
}

const ratio = (value, ref) => (value === null || !ref ? '—' : `${fmt(value / ref, 2)}×`);

/**
 * @param list results of one scenario
 * @param reference the system every ratio divides by
 * @param systems rows, in order; systems without results are left out
 */
export function comparisonTable(list, reference, systems) {
  const of = (system) => list.filter((r) => r.system === system);
  const present = systems.filter((s) => of(s).length);
  const out = [];
  if (list[0]?.scenario === 'capacity') {
    const ref = med(of(reference), (r) => r.kbPerConn);
    out.push(`| system | runs | deflate | joined | KB/conn | × ${reference} | server CPU % (user) |`);
    out.push('|---|---|---|---|---|---|---|');
    for (const system of present) {
      const rows = of(system);
      const kb = med(rows, (r) => r.kbPerConn);
      out.push(`| ${system} | ${rows.length} | ${deflateLabel(rows[0])} | ${fmt(med(rows, (r) => r.joined))} | ${fmt(kb, 2)} | ${ratio(kb, ref)} | ${fmt(med(rows, (r) => r.serverCpuPct), 1)} (${fmt(med(rows, (r) => r.serverUserCpuPct), 1)}) |`);
    }
    return out.join('\n');
  }
  const metrics = [
    ['delivered/s', (r) => r.deliveredPerS, 0],
    ['p99 ms', steadyLatency('p99'), 0],
    ['bytes/comment', (r) => r.bytesPerItem, 1],
    ['CPU µs/1k comments (user + system)', (r) => r.serverCpuUsPerKItem, 0],
    ['user CPU µs/1k comments', (r) => r.serverUserUsPerKItem, 0],
  ];
  const refs = metrics.map(([, f]) => med(of(reference), f));
  out.push(`| system | runs | deflate | probe loss per run | ${metrics.map(([name]) => `${name} | × ${reference}`).join(' | ')} |`);
  out.push(`|---|---|---|---|${metrics.map(() => '---|---|').join('')}`);
  for (const system of present) {
    const rows = of(system);
    const cells = metrics.map(([, f, digits], k) => {
      const value = med(rows, f);
      return `${value === NONE_ARRIVED ? 'none arrived' : fmt(value, digits)} | ${ratio(value, refs[k])}`;
    });
    out.push(`| ${system} | ${rows.length} | ${deflateLabel(rows[0])} | ${rows.map((r) => `${r.probeLost}/${r.probeExpected}`).join(', ')} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}
