// Compares two .cpuprofile folders (e.g. project and ceiling under the same scenario):
// self time per function in ms per second of the publishing window, side by side.
// The window is where the socket writes are: from the 5th to the 95th percentile of the
// `writeBuffer` samples, so start-up and connection set-up are left out.
// Usage: node bench/profile-compare.mjs DIR_A DIR_B [TOP]
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

function selfPerSecond(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const times = [];
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) times.push((t += profile.timeDeltas[i]));
  const writes = times.filter((_, i) => byId.get(profile.samples[i]).callFrame.functionName === 'writeBuffer');
  const start = writes[Math.floor(writes.length * 0.05)];
  const end = writes[Math.floor(writes.length * 0.95)];
  const seconds = (end - start) / 1e6;
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    if (times[i] < start || times[i] > end) continue;
    const { functionName, url, lineNumber } = byId.get(profile.samples[i]).callFrame;
    const short = url.replace(/^file:\/\//, '').replace(/.*node_modules\//, 'nm/').replace(/.*\/bench\//, 'bench/');
    const key = `${functionName || '(anonymous)'} ${short}${short ? ':' + (lineNumber + 1) : ''}`;
    self.set(key, (self.get(key) ?? 0) + profile.timeDeltas[i] / 1e3 / seconds);
  }
  return { self, seconds };
}

const [dirA, dirB, top = 40] = process.argv.slice(2);
const a = selfPerSecond(dirA);
const b = selfPerSecond(dirB);
console.log(`window: ${a.seconds.toFixed(1)} s | ${b.seconds.toFixed(1)} s\nms/s A   ms/s B   function`);
const keys = [...new Set([...a.self.keys(), ...b.self.keys()])];
const rows = keys.map((k) => [k, a.self.get(k) ?? 0, b.self.get(k) ?? 0]).sort((x, y) => Math.max(y[1], y[2]) - Math.max(x[1], x[2]));
for (const [key, x, y] of rows.slice(0, Number(top))) console.log(`${x.toFixed(1).padStart(6)}  ${y.toFixed(1).padStart(7)}   ${key}`);
