import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/server.js';
import { eventually } from '../support/viewer.js';

export { freePort };

/** The shared Redis that scripts/test-services.sh starts; never stopped by a test. */
export const SHARED_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix of its own for each server group, so parallel specs and runs never collide. */
export function uniquePrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}


export function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

export interface OwnRedisOptions {
  /** Append-only file fsynced on every write, in the server's own directory: a restart keeps everything. */
  persistent?: boolean;
  /** ACL users (password = name), each with a URL of its own, so a test can lock one process out. */
  users?: string[];
}

/** redis-server arguments for an ACL user whose password is its name. */
function userArgs(user: string, lockedOut = false): string[] {
  return ['--user', user, lockedOut ? 'off' : 'on', `>${user}`, '~*', '&*', '+@all'];
}

/**
 * A redis-server of the test's own on a free port, so it can be killed, restarted and
 * stopped (SIGSTOP) without touching the shared one. Without `persistent`, a restart is
 * empty.
 */
export class OwnRedis {
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'danmaku-redis-'));

  private constructor(
    readonly port: number,
    private readonly options: OwnRedisOptions,
  ) {}

  static async start(options: OwnRedisOptions = {}): Promise<OwnRedis> {
    const redis = new OwnRedis(await freePort(), options);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** REDIS_URL for one of the ACL users. */
  urlFor(user: string): string {
    return `redis://${user}:${user}@127.0.0.1:${this.port}`;
  }

  /**
   * Starts the server again (after kill). `lockedOut` users start disabled (see lockOut);
   * `empty` drops what a persistent server kept, as a Redis that lost its data.
   */
  async restart({ lockedOut = [], empty = false }: { lockedOut?: string[]; empty?: boolean } = {}): Promise<void> {
    if (empty) {
      rmSync(this.dir, { recursive: true, force: true });
      mkdirSync(this.dir);
    }
    const persistence = this.options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no'];
    const users = (this.options.users ?? []).flatMap((user) => userArgs(user, lockedOut.includes(user)));
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, '--dir', this.dir, '--logfile', '', ...users],
      { stdio: 'ignore' },
    );
    this.child = child;
    await eventually(() => {
      if (child.exitCode !== null) throw new Error(`redis-server on ${this.port} exited with ${child.exitCode}`);
      return redisCli(this.port, 'ping') === 'PONG';
    }, 10_000);
  }

  /** The user can no longer log in (its open connections stay); a process using it cannot reconnect. */
  lockOut(user: string): void {
    redisCli(this.port, 'ACL', 'SETUSER', user, 'off');
  }

  letIn(user: string): void {
    redisCli(this.port, 'ACL', 'SETUSER', user, 'on');
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** One line of CLUSTER NODES: who a node is, whom it replicates, and whether it is failing. */
export interface ClusterNodeLine {
  id: string;
  port: number;
  master: boolean;
  failing: boolean;
  /** For a replica, the id of its master. */
  masterId: string | undefined;
}

export interface OwnRedisClusterOptions {
  /** Replicas per master (`--cluster-replicas`). */
  replicas?: number;
  /** `cluster-node-timeout`: how long a silent master takes to be failed over. */
  nodeTimeoutMs?: number;
  /** ACL users on every node, as OwnRedis has them. */
  users?: string[];
}

/**
 * A Redis Cluster of the test's own: `masters` masters, each with `replicas` replicas,
 * from Debian's redis-server, slots spread by `redis-cli --cluster create`.
 */
export class OwnRedisCluster {
  private constructor(readonly nodes: OwnRedisNode[]) {}

  static async start(masters = 3, { replicas = 0, nodeTimeoutMs = 2000, users = [] }: OwnRedisClusterOptions = {}): Promise<OwnRedisCluster> {
    const nodes: OwnRedisNode[] = [];
    const acl = users.flatMap((user) => userArgs(user));
    for (let i = 0; i < masters * (1 + replicas); i++) {
      nodes.push(await OwnRedisNode.start(['--cluster-enabled', 'yes', '--cluster-node-timeout', String(nodeTimeoutMs), ...acl]));
    }
    execFileSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'],
      { stdio: 'ignore' },
    );
    const cluster = new OwnRedisCluster(nodes);
    // Every node agrees the cluster is whole, and every replica has caught up with its master.
    await eventually(() => nodes.every((node) => /cluster_state:ok/.test(redisCli(node.port, 'cluster', 'info'))), 15_000, 100);
    if (replicas > 0) await eventually(() => cluster.replicasInSync(), 15_000, 100);
    return cluster;
  }

  /** REDIS_URL for the broker: every node as a seed. */
  get url(): string {
    return this.nodes.map((node) => `redis://127.0.0.1:${node.port}`).join(',');
  }

  /** REDIS_URL for one of the ACL users. */
  urlFor(user: string): string {
    return this.nodes.map((node) => `redis://${user}:${user}@127.0.0.1:${node.port}`).join(',');
  }

  lockOut(user: string): void {
    for (const node of this.nodes) redisCli(node.port, 'ACL', 'SETUSER', user, 'off');
  }

  letIn(user: string): void {
    for (const node of this.nodes) redisCli(node.port, 'ACL', 'SETUSER', user, 'on');
  }

  /** The port of the node that owns a key's (or a sharded channel's) slot. */
  ownerOf(key: string): number {
    const alive = this.nodes.find((node) => node.alive)!;
    const slot = Number(redisCli(alive.port, 'cluster', 'keyslot', key));
    const shards = redisCli(alive.port, 'cluster', 'slots');
    // Flat redis-cli output: start, end, ip, port, id, [replica triples]..., per range.
    const lines = shards.split('\n');
    for (let i = 0; i + 3 < lines.length; i++) {
      const [start, end, ip, port] = lines.slice(i, i + 4);
      if (/^\d+$/.test(start) && /^\d+$/.test(end) && ip === '127.0.0.1' && Number(start) <= slot && slot <= Number(end)) return Number(port);
    }
    throw new Error(`no owner for slot ${slot}`);
  }

  node(port: number): OwnRedisNode {
    const node = this.nodes.find((candidate) => candidate.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    return node;
  }

  /** CLUSTER NODES as seen by a node that is still running. */
  view(): ClusterNodeLine[] {
    const alive = this.nodes.find((node) => node.alive)!;
    return redisCli(alive.port, 'cluster', 'nodes')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const [id, address, flags, masterId] = line.split(' ');
        const flagList = flags.split(',');
        return {
          id,
          port: Number(/:(\d+)@/.exec(address)?.[1]),
          master: flagList.includes('master'),
          failing: flagList.includes('fail') || flagList.includes('fail?'),
          masterId: masterId === '-' ? undefined : masterId,
        };
      });
  }

  /** The port of a replica of the master on `port`. */
  replicaOf(port: number): number {
    const lines = this.view();
    const master = lines.find((line) => line.port === port);
    const replica = lines.find((line) => !line.master && line.masterId === master?.id && !line.failing);
    if (!replica) throw new Error(`no replica for the master on ${port}`);
    return replica.port;
  }

  /** Every replica reports its link to its master up and its offset equal to the master's. */
  private replicasInSync(): boolean {
    for (const line of this.view().filter((candidate) => !candidate.master)) {
      const info = redisCli(line.port, 'info', 'replication');
      if (!/master_link_status:up/.test(info)) return false;
      const master = this.view().find((candidate) => candidate.id === line.masterId);
      if (!master) return false;
      const own = /slave_repl_offset:(\d+)/.exec(info)?.[1];
      const theirs = /master_repl_offset:(\d+)/.exec(redisCli(master.port, 'info', 'replication'))?.[1];
      if (own === undefined || own !== theirs) return false;
    }
    return true;
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.stop()));
  }
}

export class OwnRedisNode {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(extra: string[]): Promise<OwnRedisNode> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'danmaku-cluster-'));
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '', ...extra],
      { stdio: 'ignore' },
    );
    await eventually(() => redisCli(port, 'ping') === 'PONG', 10_000);
    return new OwnRedisNode(port, child, dir);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    if (this.alive) this.child.kill('SIGCONT');
  }

  /** Ends the process at once, as a crash would: whatever it had not replicated yet is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
