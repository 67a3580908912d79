import { execFileSync } from 'node:child_process';

/** e2e specs run the built server as a real process, so build it once per test run. */
export default function setup(): void {
  execFileSync('npx', ['nest', 'build'], { stdio: 'inherit' });
}
