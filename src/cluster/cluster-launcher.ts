import { Logger } from '@nestjs/common';
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { DanmakuConfig } from '../config/danmaku-config.js';
import { ConfigError } from '../config/validate-config.js';
import { PRIMARY_COLLECTS_ENV, serveWorkerReports } from './worker-reports.js';

/** A worker that dies sooner than this after starting counts as crashing: its restart waits. */
const STABLE_AFTER_MS = 10_000;
/** Longest wait before restarting a crashing worker. */
const MAX_RESTART_DELAY_MS = 10_000;
/** Workers still running this long after SIGTERM are killed. */
const STOP_TIMEOUT_MS = 30_000;

/** WORKERS as a number: "auto" is one per core. */
export function workerCount(config: Pick<DanmakuConfig, 'WORKERS'>): number {
  return config.WORKERS === 'auto' ? availableParallelism() : config.WORKERS;
}

/**
 * Whether this process should run the server itself: yes unless it is the primary of a
 * WORKERS > 1 setup. Throws a ConfigError when more than one worker is asked for without
 * REDIS_URL: each worker would hold its own split of every room.
 */
export function runsServer(config: Pick<DanmakuConfig, 'WORKERS' | 'REDIS_URL'>): boolean {
  if (!cluster.isPrimary) return true;
  const count = workerCount(config);
  if (count > 1 && config.REDIS_URL === undefined) {
    throw new ConfigError(
      `WORKERS=${String(config.WORKERS)} (${count} processes) needs REDIS_URL: without Redis each worker would hold its own split of every room`,
    );
  }
  return count <= 1;
}

/**
 * The primary of WORKERS > 1: forks the workers, which share the listening port through
 * node:cluster (the primary accepts and hands connections round-robin), restarts a worker
 * that dies, and on SIGTERM or SIGINT forwards SIGTERM so every worker drains (pending
 * batches flushed, connections closed with 1012) before the primary exits.
 *
 * During the first start, a worker that exits before it listened stops the whole server
 * with its exit code: a bad configuration or an unreachable Redis must not leave a
 * half-started one. Once every worker has listened, the server is serving: a replacement
 * that cannot start (Redis down for a while) is retried with backoff, because stopping
 * would take the healthy workers' viewers down with it.
 *
 * It also relays the workers' reports, so that /stats and /metrics count them all.
 */
export function runPrimary(config: Pick<DanmakuConfig, 'WORKERS'>): void {
  const logger = new Logger('Primary');
  const count = workerCount(config);
  const listening = new Set<number>();
  const startedAt = new Map<number, number>();
  let restartDelay = 0;
  let started = false;
  let stopping = false;
  let exitCode = 0;

  const fork = (): Worker => {
    const worker = cluster.fork({ [PRIMARY_COLLECTS_ENV]: '1' });
    startedAt.set(worker.id, Date.now());
    return worker;
  };
  const alive = () => Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);

  cluster.on('listening', (worker) => {
    if (listening.size === 0) logger.log(`${count} workers sharing the port`);
    listening.add(worker.id);
    if (listening.size === count) started = true;
  });

  cluster.on('exit', (worker, code, signal) => {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    listening.delete(worker.id);
    if (stopping) {
      if (code !== 0 && code !== null) exitCode = code;
      if (alive().length === 0) process.exit(exitCode);
      return;
    }
    if (!started) {
      logger.error(`worker ${worker.process.pid} exited during start-up (${how}): stopping`);
      stop(code === null || code === 0 ? 1 : code);
      return;
    }
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    restartDelay = lived < STABLE_AFTER_MS ? Math.min(MAX_RESTART_DELAY_MS, Math.max(250, restartDelay * 2)) : 0;
    logger.warn(`worker ${worker.process.pid} died (${how}): restarting${restartDelay ? ` in ${restartDelay} ms` : ''}`);
    setTimeout(() => {
      if (!stopping) fork();
    }, restartDelay);
  });

  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    const workers = alive();
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill('SIGTERM');
    setTimeout(() => {
      logger.error(`workers still running ${STOP_TIMEOUT_MS} ms after SIGTERM: killing them`);
      for (const worker of alive()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
  };
  // /stats and /metrics answer for every worker (worker-reports.ts).
  serveWorkerReports(() => alive().filter((worker) => listening.has(worker.id)));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      logger.log(`${signal}: draining ${alive().length} workers`);
      stop(0);
    });
  }

  logger.log(`starting ${count} workers (pid ${process.pid})`);
  for (let i = 0; i < count; i++) fork();
}
