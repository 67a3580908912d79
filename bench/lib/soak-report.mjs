// A soak's samples turned into a verdict, a markdown table and an SVG plot (no dependency).

/** Least-squares slope of y over x. */
export function slope(points) {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Flat by the end: over the last third of the run, the fitted growth (slope × that third's
 * length) stays under `share` of the mean there, or under `floor` (noise for small values).
 * A leak grows steadily and fails this; a plateau reached early passes it, and so does a
 * fall (memory given back after a collection).
 */
export function flatVerdict(samples, key, { share = 0.05, floor = 0 } = {}) {
  const points = samples.filter((s) => typeof s[key] === 'number').map((s) => [s.t, s[key]]);
  if (points.length < 3) return { key, flat: null, reason: 'too few samples' };
  const from = points[0][0] + ((points.at(-1)[0] - points[0][0]) * 2) / 3;
  const tail = points.filter(([t]) => t >= from);
  const perSecond = slope(tail);
  const span = tail.at(-1)[0] - tail[0][0];
  const growth = perSecond * span;
  const mean = tail.reduce((s, [, y]) => s + y, 0) / tail.length;
  const allowed = Math.max(share * mean, floor);
  return { key, flat: growth <= allowed, growth, allowed, mean, perMinute: perSecond * 60, samples: tail.length };
}

const MB = 1048576;
const fmt = (v, d = 0) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
/** Bytes as MB; a figure not sampled (null) stays a dash. */
const mb = (v) => (v === null || v === undefined ? '—' : fmt(v / MB, 1));

export function sampleTable(samples) {
  const out = [
    '| t s | server RSS MB | heap used MB | heap total MB | external MB | active resources | connections | rooms | Redis used_memory MB | run keys KB | viewers joined | rejoins | delivered items | dropped | slow closed |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of samples) {
    out.push(
      `| ${fmt(s.t)} | ${mb(s.rss)} | ${mb(s.heapUsed)} | ${mb(s.heapTotal)} | ${mb(s.external)} | ${fmt(s.activeResources)} | ${fmt(s.connections)} | ${fmt(s.rooms)} | ${mb(s.redisUsed)} | ${s.keysBytes === null ? '—' : fmt(s.keysBytes / 1024, 1)} | ${fmt(s.viewersJoined)} | ${fmt(s.rejoins)} | ${fmt(s.items)} | ${fmt(s.dropped)} | ${fmt(s.slowClosed)} |`,
    );
  }
  return out.join('\n');
}

export function verdictTable(verdicts) {
  const out = ['| figure | mean over the last third | fitted growth over the last third | allowed growth | per minute | flat (not growing) |', '|---|---|---|---|---|---|'];
  for (const v of verdicts) {
    if (v.flat === null) {
      out.push(`| ${v.key} | — | — | — | — | ${v.reason} |`);
      continue;
    }
    const scale = v.key === 'activeResources' ? 1 : MB;
    const unit = v.key === 'activeResources' ? '' : ' MB';
    const d = scale === 1 ? 0 : 2;
    out.push(`| ${v.key} | ${fmt(v.mean / scale, d)}${unit} | ${fmt(v.growth / scale, d)}${unit} | ${fmt(v.allowed / scale, d)}${unit} | ${fmt(v.perMinute / scale, 3)}${unit} | ${v.flat ? 'yes' : 'NO'} |`);
  }
  return out.join('\n');
}

const esc = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A round step for about `n` ticks over [0, max]. */
function niceStep(max, n) {
  const raw = max / n || 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((step) => step >= raw);
}

/**
 * A line chart as an SVG string: series of [x, y] points sharing one y axis from 0.
 * @param {{ title: string, xLabel: string, yLabel: string, series: { name: string, color: string, points: [number, number][] }[] }} chart
 */
export function lineChart({ title, xLabel, yLabel, series, width = 900, height = 420 }) {
  const left = 70;
  const right = 180;
  const top = 40;
  const bottom = 50;
  const w = width - left - right;
  const h = height - top - bottom;
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map(([x]) => x));
  const yMax = Math.max(1, ...all.map(([, y]) => y)) * 1.1;
  const xStep = niceStep(xMax, 8);
  const yStep = niceStep(yMax, 6);
  const X = (x) => left + (x / xMax) * w;
  const Y = (y) => top + h - (y / yMax) * h;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${left}" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (let y = 0; y <= yMax; y += yStep) {
    out.push(`<line x1="${left}" x2="${left + w}" y1="${Y(y).toFixed(1)}" y2="${Y(y).toFixed(1)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${(Y(y) + 4).toFixed(1)}" text-anchor="end">${+y.toFixed(6)}</text>`);
  }
  for (let x = 0; x <= xMax; x += xStep) {
    out.push(`<line x1="${X(x).toFixed(1)}" x2="${X(x).toFixed(1)}" y1="${top + h}" y2="${top + h + 4}" stroke="#333"/>`);
    out.push(`<text x="${X(x).toFixed(1)}" y="${top + h + 18}" text-anchor="middle">${+x.toFixed(6)}</text>`);
  }
  out.push(`<line x1="${left}" x2="${left + w}" y1="${top + h}" y2="${top + h}" stroke="#333"/>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + h}" stroke="#333"/>`);
  out.push(`<text x="${left + w / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${top + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    if (s.points.length > 0) {
      const d = s.points.map(([x, y], k) => `${k ? 'L' : 'M'}${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    }
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${left + w + 15}" x2="${left + w + 35}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`);
    out.push(`<text x="${left + w + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The soak's memory over time: server RSS, heap used and total, Redis used_memory (MB). */
export function soakChart(samples, title) {
  const mb = (key) => samples.filter((s) => typeof s[key] === 'number').map((s) => [s.t, s[key] / MB]);
  const series = [
    { name: 'server RSS', color: '#d62728', points: mb('rss') },
    { name: 'heap total', color: '#ff7f0e', points: mb('heapTotal') },
    { name: 'heap used', color: '#1f77b4', points: mb('heapUsed') },
  ];
  if (samples.some((s) => typeof s.redisUsed === 'number')) series.push({ name: 'Redis used_memory', color: '#2ca02c', points: mb('redisUsed') });
  return lineChart({ title, xLabel: 'seconds since publishing started', yLabel: 'MB', series });
}
