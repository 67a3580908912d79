// Cost of the sensitive-word filter per comment: `npm run bench:words`.
// Shows that matching is linear in the comment's length and flat in the dictionary's
// size (Aho-Corasick), for 100 to 10,000 words and comments of 25 to 400 characters.
// An in-process micro-benchmark of one function: no server involved.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = fileURLToPath(new URL('./.words-build/', import.meta.url));

execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', OUT, '--incremental', 'false', '--declaration', 'false'], {
  cwd: ROOT,
  stdio: 'inherit',
});
const { SensitiveWordMatcher } = await import(`${OUT}moderation/sensitive-words/sensitive-word-matcher.js`);

const quick = process.argv.includes('--quick');
const RUNS = quick ? 3 : 7;
const ITERATIONS = quick ? 300 : 2000;

// Deterministic pseudo-random CJK and Latin text, so runs compare.
let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
const CHARS = '弹幕前方高能哈哈666真的好看主播加油abcdefghijklmnopqrstuvwxyzＡＢＣ１２３';
const pick = () => CHARS[Math.floor(random() * CHARS.length)];
const text = (length) => Array.from({ length }, pick).join('');
const words = (count) => Array.from({ length: count }, (_, i) => `${pick()}${pick()}${i.toString(36)}${pick()}`);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median over RUNS of the mean µs per mask() call. */
function measure(matcher, comments) {
  const runs = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) matcher.mask(comments[i % comments.length]);
    runs.push(((performance.now() - start) * 1000) / ITERATIONS);
  }
  return median(runs);
}

const lengths = [25, 50, 100, 200, 400];
const sizes = [100, 1000, 10000];
const rows = [];
for (const size of sizes) {
  const matcher = new SensitiveWordMatcher(words(size));
  const row = { words: size };
  for (const length of lengths) {
    const comments = Array.from({ length: 64 }, () => text(length));
    measure(matcher, comments); // warm-up
    row[length] = measure(matcher, comments);
  }
  rows.push(row);
}

console.log(`\nSensitive-word filter, µs per comment (median of ${RUNS} runs × ${ITERATIONS} comments), Node ${process.version}\n`);
console.log(`| words | ${lengths.map((l) => `${l} chars`).join(' | ')} | µs per char at 400 |`);
console.log(`|---:|${lengths.map(() => '---:').join('|')}|---:|`);
for (const row of rows) {
  console.log(`| ${row.words} | ${lengths.map((l) => row[l].toFixed(1)).join(' | ')} | ${(row[400] / 400).toFixed(2)} |`);
}
for (const row of rows) console.log(JSON.stringify({ bench: 'word-filter', ...row }));
