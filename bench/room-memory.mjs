// Heap bytes per room the in-memory broker keeps, for choosing MAX_ROOMS_KEPT:
// `npm run build && node --expose-gc bench/room-memory.mjs [--rooms 50000] [--comments 1]`.
// Publishes `comments` ordinary comments (20 characters of text, a user) into each of
// `rooms` rooms, as viewers who JOIN, COMMENT and LEAVE would, and reports the heap grown
// per room after a full GC.
import { randomUUID } from 'node:crypto';
import { MemoryBroker } from '../dist/broker/memory-broker.js';
import { validateConfig } from '../dist/config/validate-config.js';

const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : fallback;
};
const rooms = opt('rooms', 50_000);
const comments = opt('comments', 1);
if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc');

const settle = () => {
  for (let i = 0; i < 3; i++) globalThis.gc();
  return process.memoryUsage().heapUsed;
};

const broker = new MemoryBroker(validateConfig({ MAX_ROOMS_KEPT: String(rooms) }));
const before = settle();
for (let r = 0; r < rooms; r++) {
  const room = `room-${r.toString(36)}-${randomUUID().slice(0, 8)}`;
  broker.follow(room);
  for (let c = 0; c < comments; c++) {
    await broker.publish(room, [
      { id: randomUUID(), room, text: 'a comment of 20 chr.', color: '#ffffff', mode: 'scroll', user: `user-${r}`, ts: Date.now(), priority: false },
    ]);
  }
  broker.unfollow(room);
}
const after = settle();
const { kept, evicted } = broker.keptRooms();
broker.onApplicationShutdown();
console.log(
  JSON.stringify({ rooms, comments, kept, evicted, heapGrowthBytes: after - before, bytesPerRoom: Math.round((after - before) / rooms) }),
);
