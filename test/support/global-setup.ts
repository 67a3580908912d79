import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { E2E_OUT_DIR } from './e2e-build.js';

/**
 * e2e specs run the built server (and the example app) as real processes. It is built into its own folder,
 * so a `nest build` or `start:dev` rebuilding dist/ meanwhile cannot pull it away.
 */
export default function setup(): void {
  // The viewer client package (packages/client), which the room page loads and the client specs use.
  execFileSync('npx', ['tsc', '-p', 'packages/client/tsconfig.json'], { stdio: 'inherit' });
  // The server and the example app (examples/), which imports it.
  execFileSync('npx', ['tsc', '-p', 'tsconfig.e2e.json', '--outDir', E2E_OUT_DIR], { stdio: 'inherit' });
  // The static assets nest-cli.json copies for `nest build`.
  cpSync('src/page/public', `${E2E_OUT_DIR}/src/page/public`, { recursive: true });
}
