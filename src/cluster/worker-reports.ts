import cluster, { type Worker } from 'node:cluster';

/**
 * With WORKERS=N, node:cluster hands each HTTP connection to one worker, and the primary
 * serves nothing. So that /stats and /metrics speak for the whole server, the worker that
 * is asked collects a report from every worker through the primary, over the IPC channel
 * node:cluster already keeps:
 *
 *   asking worker → primary: COLLECT; primary → each listening worker: REPORT_REQUEST;
 *   each worker → primary: REPORT; primary → asking worker: COLLECTED (every report).
 *
 * A worker that does not answer within REPORT_TIMEOUT_MS (busy, dying, still starting) is
 * left out and counted as missing, so one stuck worker cannot stall monitoring.
 */
const COLLECT = 'danmaku:collect';
const REPORT_REQUEST = 'danmaku:report-request';
const REPORT = 'danmaku:report';
const COLLECTED = 'danmaku:collected';

/** Set in the environment of the workers this server's primary forks: only that primary answers COLLECT. */
export const PRIMARY_COLLECTS_ENV = 'DANMAKU_PRIMARY_COLLECTS';

const REPORT_TIMEOUT_MS = 2000;
/** The asking worker's own bound, above the primary's. */
const COLLECT_TIMEOUT_MS = REPORT_TIMEOUT_MS + 1000;

export interface WorkerReport<T = unknown> {
  /** node:cluster's worker id (a restarted worker gets a new one). */
  worker: number;
  pid: number;
  report: T;
}

export interface Collected<T = unknown> {
  reports: WorkerReport<T>[];
  /** Listening workers that did not answer in time. */
  missing: number;
}

interface Message {
  type?: unknown;
  id?: unknown;
  report?: unknown;
  reports?: unknown;
  missing?: unknown;
}

const isMessage = (value: unknown): value is Message => typeof value === 'object' && value !== null;

/**
 * The primary's side: answers every COLLECT by asking each listening worker for its
 * report. `listening` names the workers that serve (a worker still starting has nothing to
 * say and may not answer yet).
 */
export function serveWorkerReports(listening: () => Worker[]): void {
  let nextId = 0;
  const pending = new Map<number, (from: Worker, report: unknown) => void>();

  cluster.on('message', (from, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === REPORT && typeof message.id === 'number') {
      pending.get(message.id)?.(from, message.report);
      return;
    }
    if (message.type !== COLLECT) return;
    const askedFor = message.id;
    const workers = listening().filter((worker) => worker.isConnected());
    const reports: WorkerReport[] = [];
    const id = nextId++;
    const finish = () => {
      clearTimeout(timer);
      pending.delete(id);
      reports.sort((a, b) => a.worker - b.worker);
      if (from.isConnected()) from.send({ type: COLLECTED, id: askedFor, reports, missing: workers.length - reports.length });
    };
    const timer = setTimeout(finish, REPORT_TIMEOUT_MS);
    pending.set(id, (worker, report) => {
      if (!workers.includes(worker) || reports.some((r) => r.worker === worker.id)) return;
      reports.push({ worker: worker.id, pid: worker.process.pid ?? 0, report });
      if (reports.length === workers.length) finish();
    });
    if (workers.length === 0) return finish();
    for (const worker of workers) worker.send({ type: REPORT_REQUEST, id });
  });
}

/**
 * A worker's side: answers the primary's requests with `report()`, and collects every
 * worker's report on demand. Only in a worker forked by this server's primary
 * (`WorkerReports.available()`): elsewhere no one would answer.
 */
export class WorkerReports<T> {
  private nextId = 0;
  private readonly waiting = new Map<number, (collected: Collected<T>) => void>();
  private readonly listener = (message: unknown) => this.receive(message);

  static available(): boolean {
    return cluster.isWorker && process.env[PRIMARY_COLLECTS_ENV] === '1' && typeof process.send === 'function';
  }

  constructor(private readonly report: () => Promise<T> | T) {
    process.on('message', this.listener);
  }

  /** Every listening worker's report, this one's included. */
  collect(): Promise<Collected<T>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the cluster primary did not answer'));
      }, COLLECT_TIMEOUT_MS);
      this.waiting.set(id, (collected) => {
        clearTimeout(timer);
        resolve(collected);
      });
      process.send!({ type: COLLECT, id });
    });
  }

  close(): void {
    process.off('message', this.listener);
  }

  private receive(message: unknown): void {
    if (!isMessage(message) || typeof message.id !== 'number') return;
    if (message.type === REPORT_REQUEST) {
      const id = message.id;
      Promise.resolve()
        .then(() => this.report())
        .then(
          (report) => process.send?.({ type: REPORT, id, report }),
          () => undefined,
        );
    } else if (message.type === COLLECTED) {
      const done = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      done?.({ reports: message.reports as WorkerReport<T>[], missing: Number(message.missing) });
    }
  }
}
