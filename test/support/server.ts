import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { EXAMPLE_MAIN, E2E_MAIN as MAIN } from './e2e-build.js';

export interface RunningServer {
  port: number;
  http: string;
  ws: string;
  process: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Sends the signal and resolves with the exit code once the process has ended. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Overload control off unless a spec turns it on (overload.e2e-spec.ts): specs run side by
 * side on shared cores, where a server starved of CPU for a quarter of a second would
 * rightly refuse publishes that these specs expect to be accepted.
 */
const TEST_DEFAULTS = { OVERLOAD_DELAY_MS: '0' };

/**
 * Starts the built server (see e2e-build.ts) on a free port with the given environment and resolves
 * once it logs that it is listening.
 */
export async function startServer(env: Record<string, string> = {}, port = 0, main = MAIN): Promise<RunningServer> {
  const child = spawn(process.execPath, [main], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', HOST: '127.0.0.1', PORT: String(port), ...TEST_DEFAULTS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const listening = new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited with ${code} before listening:\n${output}`)));
  });
  const actualPort = await listening;
  return {
    port: actualPort,
    http: `http://127.0.0.1:${actualPort}`,
    ws: `ws://127.0.0.1:${actualPort}/connect`,
    process: child,
    output: () => output,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and output. */
export async function startFailing(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, output };
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * The example app (examples/moderated-room) on a free port, with its own origin as the one
 * ALLOWED_ORIGINS lists, as a deployment of it would: its page opens the socket from there.
 */
export async function startExample(env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  return startServer({ ALLOWED_ORIGINS: `http://127.0.0.1:${port}`, ...env }, port, EXAMPLE_MAIN);
}
