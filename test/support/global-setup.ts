import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { E2E_OUT_DIR } from './e2e-build.js';

/**
 * e2e specs run the built server as a real process. It is built into its own folder,
 * so a `nest build` or `start:dev` rebuilding dist/ meanwhile cannot pull it away.
 */
export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', E2E_OUT_DIR, '--incremental', 'false'], {
    stdio: 'inherit',
  });
  // The static assets nest-cli.json copies for `nest build`.
  cpSync('src/page/public', `${E2E_OUT_DIR}/page/public`, { recursive: true });
}
