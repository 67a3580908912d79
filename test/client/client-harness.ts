import { once } from 'node:events';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type ClientState,
  DanmakuClient,
  type DanmakuClientOptions,
  type DeliveredPush,
  type ItemContext,
  type JoinedInfo,
  type PushItem,
} from '../../packages/client/src/index.js';

/**
 * A DanmakuClient over real `ws` sockets, with everything it reports and every frame it
 * sends recorded, so a spec can wait for what it expects.
 */
export class WatchedClient {
  readonly client: DanmakuClient;
  readonly items: { item: PushItem; context: ItemContext }[] = [];
  readonly pushes: DeliveredPush[] = [];
  readonly states: ClientState[] = [];
  readonly joined: JoinedInfo[] = [];
  readonly closed: { code: number; reason: string }[] = [];
  readonly frames: { type: string; data: unknown }[] = [];
  readonly errors: unknown[] = [];
  /** Client frames as sent, parsed. */
  readonly sent: { type: string; data: any }[] = [];
  /** How many sockets the client opened. */
  sockets = 0;

  constructor(options: Omit<DanmakuClientOptions, 'WebSocket'>) {
    const opened = () => this.sockets++;
    const sent = this.sent;
    class RecordingWebSocket extends WebSocket {
      constructor(url: string) {
        super(url);
        opened();
      }
      override send(data: any, ...rest: any[]): void {
        sent.push(JSON.parse(String(data)));
        (super.send as (...args: unknown[]) => void)(data, ...rest);
      }
    }
    this.client = new DanmakuClient({ ...options, WebSocket: RecordingWebSocket });
    this.client.on('item', (item, context) => this.items.push({ item, context }));
    this.client.on('push', (push) => this.pushes.push(push));
    this.client.on('state', (state) => this.states.push(state));
    this.client.on('joined', (info) => this.joined.push(info));
    this.client.on('closed', (closed) => this.closed.push(closed));
    this.client.on('frame', (frame) => this.frames.push(frame));
    this.client.on('error', (error) => this.errors.push(error));
  }

  /** Resolves when the client's state becomes `name`. */
  reach(name: ClientState['name'], timeoutMs = 10_000): Promise<ClientState> {
    if (this.client.state.name === name) return Promise.resolve(this.client.state);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`state ${name} not reached within ${timeoutMs} ms; went through ${JSON.stringify(this.states.map((s) => s.name))}`));
      }, timeoutMs);
      const off = this.client.on('state', (state) => {
        if (state.name !== name) return;
        clearTimeout(timer);
        off();
        resolve(state);
      });
    });
  }

  /** Texts of the comments received in a room, in order. */
  texts(room: string | null): string[] {
    return this.items.filter((i) => i.context.room === room).map((i) => (i.item as { text: string }).text);
  }

  /** Seqs of the comments received in a room, in order. */
  seqs(room: string): number[] {
    return this.items.filter((i) => i.context.room === room).map((i) => (i.item as { seq: number }).seq);
  }

  close(): void {
    this.client.close();
  }
}

/**
 * A WebSocket relay in front of a real server that forwards every frame both ways and
 * adds what a newer server sends: frames of types no server sends today, unknown fields,
 * JOINED's `epoch` (the relay's `epoch`, which a spec may change), and every PUSH twice.
 */
export class FutureRelay {
  epoch = 'epoch-1';

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<FutureRelay> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    let relay: FutureRelay | undefined;
    server.on('connection', (client) => {
      const backlog: string[] = [];
      const up = new WebSocket(upstream);
      up.on('open', () => {
        for (const frame of backlog.splice(0)) up.send(frame);
      });
      client.on('message', (data) => (up.readyState === WebSocket.OPEN ? up.send(String(data)) : backlog.push(String(data))));
      up.on('message', (data) => {
        const text = String(data);
        const frame = JSON.parse(text);
        if (frame.type === 'JOINED') {
          client.send(JSON.stringify({ type: 'SOMETHING_NEW', data: { room: frame.data.room, hint: 'from a newer server' } }));
          client.send('{"type":"NO_DATA_AT_ALL"}');
          client.send(JSON.stringify({ type: 'JOINED', data: { ...frame.data, epoch: relay!.epoch, shiny: true } }));
          // A message to one user's connections (PROTOCOL.md section 6), as a server with that route sends it.
          const item = { id: `to-alice-${frame.data.room}`, room: null, text: 'just for you', color: '#ffffff', mode: 'scroll', ts: Date.now() };
          client.send(JSON.stringify({ type: 'PUSH', data: { room: null, to: 'alice', items: [item] } }));
          return;
        }
        client.send(text);
        // Sent twice, as a resume racing live delivery might: the client must show it once.
        if (frame.type === 'PUSH') client.send(text);
      });
      client.on('close', () => up.close());
      up.on('close', () => client.close());
      client.on('error', () => up.terminate());
      up.on('error', () => client.terminate());
    });
    relay = new FutureRelay(server, `ws://127.0.0.1:${port}/connect`);
    return relay;
  }

  /** Drops every connection (as a network failure would: no closing handshake). */
  drop(): void {
    for (const client of this.server.clients) client.terminate();
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
