// Summarises the .cpuprofile files in a folder (node --cpu-prof): self time by function
// and by file, largest first. Usage: node bench/profile-summary.mjs DIR [TOP]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
const top = Number(process.argv[3] ?? 25);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map();
  const byFile = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const short = url ? url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/') : '';
    const fn = `${functionName || '(anonymous)'} ${short}${short ? ':' + (lineNumber + 1) : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + us);
    const f = short ? (short.startsWith('nm/') ? short.split('/').slice(0, short.startsWith('nm/@') ? 3 : 2).join('/') : short) : `(${functionName || 'native'})`;
    byFile.set(f, (byFile.get(f) ?? 0) + us);
  }
  const pct = (us) => ((100 * us) / total).toFixed(1).padStart(5) + '%';
  console.log(`#### ${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nself time by function (top ${top}):\n\`\`\``);
  for (const [fn, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${fn}`);
  console.log('```\n\nself time by file/package (top 20):\n```');
  for (const [f, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`${pct(us)}  ${f}`);
  console.log('```\n');
}
