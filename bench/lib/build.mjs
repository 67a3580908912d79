// Private builds of the project for the runner: the working tree into bench/.server/, and
// any git ref into bench/.baseline-server/<sha>/ (cached by sha). Both compile with the same
// tsc command and copy the page's assets, so a before/after pair differs only in source.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function compile(tree, out) {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', out, '--incremental', 'false', '--declaration', 'false'], { cwd: tree, stdio: 'inherit' });
  const assets = path.join(tree, 'src/page/public');
  if (existsSync(assets)) cpSync(assets, path.join(out, 'page/public'), { recursive: true });
}

function newestMtime(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The working tree's build in `out` (a private copy, so other people's `nest build`, which
 * deletes dist/, cannot pull the server out from under a run). Rebuilt when src/ is newer.
 */
export function ensureBuilt(root, out, log) {
  const main = path.join(out, 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(path.join(root, 'src'))) return;
  log(`building the project into ${path.relative(root, out)} (tsc -p tsconfig.build.json)`);
  rmSync(out, { recursive: true, force: true });
  compile(root, out);
}

const git = (root, args) => execFileSync('git', args, { cwd: root }).toString().trim();

/**
 * The project as of git ref `ref`, built into `<cacheDir>/<sha>/`. The source comes from
 * `git archive` into a temporary `<sha>.src/`; it compiles against the working tree's
 * node_modules when package-lock.json and native/ are the same at `ref` (the compiled server
 * then finds them by walking up from the cache), otherwise against its own `npm ci`, whose
 * node_modules and native/ (the addon it built, linked from node_modules) move into the
 * build. A `BUILT` file marks a finished build.
 * @returns {{ sha: string, main: string }}
 */
export function ensureBaselineBuilt(root, ref, cacheDir, log) {
  let sha;
  try {
    sha = git(root, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--baseline ${ref}: not a commit in this repository`);
  }
  const out = path.join(cacheDir, sha);
  const main = path.join(out, 'main.js');
  if (existsSync(path.join(out, 'BUILT'))) return { sha, main };
  const tree = `${out}.src`;
  rmSync(out, { recursive: true, force: true });
  rmSync(tree, { recursive: true, force: true });
  mkdirSync(tree, { recursive: true });
  log(`building ${ref} (${sha.slice(0, 12)}) into ${path.relative(root, out)}`);
  execFileSync('sh', ['-c', 'git archive --format=tar "$1" | tar -x -C "$2"', 'sh', sha, tree], { cwd: root, stdio: 'inherit' });
  let sameModules = true;
  try {
    execFileSync('git', ['diff', '--quiet', sha, '--', 'package-lock.json', 'native'], { cwd: root });
  } catch {
    sameModules = false;
  }
  if (sameModules) {
    symlinkSync(path.join(root, 'node_modules'), path.join(tree, 'node_modules'));
  } else {
    log(`${ref}: package-lock.json or native/ differ from the working tree; npm ci for it`);
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: tree, stdio: 'inherit' });
  }
  compile(tree, out);
  if (!sameModules) {
    renameSync(path.join(tree, 'node_modules'), path.join(out, 'node_modules'));
    if (existsSync(path.join(tree, 'native'))) renameSync(path.join(tree, 'native'), path.join(out, 'native'));
  }
  rmSync(tree, { recursive: true, force: true });
  writeFileSync(path.join(out, 'BUILT'), `${ref} ${sha}\n`);
  return { sha, main };
}
