import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The folders of src/ (one per module, '.' for the files at the top) and which others
// each one imports from, spec files left out: a dependency between folders goes one way.
const SRC = resolve(import.meta.dirname);
const IMPORT = /(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g;

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && !path.endsWith('.spec.ts'))
    .map((path) => join(SRC, path));
}

const folderOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? '.' : parts[0];
};

function folderGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of sourceFiles()) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const [, path] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const to = folderOf(resolve(dirname(file), path));
      if (to !== from) graph.get(from)!.add(to);
    }
  }
  return graph;
}

/** Every chain of imports that comes back to the folder it started from. */
function cycles(graph: Map<string, Set<string>>): string[] {
  const found: string[] = [];
  const walk = (path: string[]) => {
    for (const next of graph.get(path.at(-1)!) ?? []) {
      if (next === path[0]) found.push([...path, next].join(' → '));
      else if (!path.includes(next) && next > path[0]) walk([...path, next]);
    }
  };
  for (const folder of graph.keys()) walk([folder]);
  return found;
}

describe('folders of src/', () => {
  it('never import each other, directly or through other folders', () => {
    const graph = folderGraph();
    expect(graph.get('core')).toBeDefined();
    expect(cycles(graph)).toEqual([]);
  });

  it('find each other’s tokens in a file that imports nothing', () => {
    expect(readFileSync(join(SRC, 'core/danmaku-tokens.ts'), 'utf8')).not.toMatch(/^import /m);
  });
});
