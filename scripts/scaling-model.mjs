#!/usr/bin/env node
// The capacity model of docs/scaling.md as a calculator: pass your own audience and your
// own measured per-process figures (scripts/measure-scaling.mjs), get processes, machines,
// Redis shards and bandwidth.
//
//   node scripts/scaling-model.mjs --viewers 10000000 --rooms 1 --comments-per-room 1000
//   node scripts/scaling-model.mjs --rooms 10000 --comments-per-room 10 --affinity machine
//   node scripts/scaling-model.mjs --help
const DEFAULTS = {
  // The audience.
  viewers: 10_000_000,
  rooms: 1,
  'comments-per-room': 1000, // published per second into each room (one publish call each)
  // Server settings.
  'window-ms': 200, // BATCH_WINDOW_MS
  'max-items': 100, // BATCH_MAX_ITEMS
  'online-interval-ms': 5000, // ONLINE_INTERVAL_MS (presence reports every half of it)
  'history-size': 1000, // HISTORY_SIZE
  // Measured per process (docs/scaling.md, scripts/measure-scaling.mjs).
  'frame-us': 15, // CPU per frame written to one member
  'message-us': 80, // CPU per message received from Redis (decode, batch, encode once)
  'item-bytes': 170, // one ITEM in a frame, JSON and framing share
  'rss-base-mb': 130,
  'rss-per-viewer-kb': 25,
  'cpu-target': 0.7, // share of its core a process may use at peak
  'fd-limit': 15_000, // connections per process (20,000 open files here, minus headroom)
  // Machines: where the processes run (WORKERS per machine up to its cores).
  'cores-per-machine': 16,
  'memory-per-machine-gb': 64,
  'nic-gbps': 25,
  // How viewers reach processes: none = any process (round-robin), machine = a room's
  // viewers hashed to as few machines as its size needs (load balancer on ?room=).
  affinity: 'none',
  // Measured on Redis (INFO commandstats and /proc, see docs/scaling.md).
  'redis-publish-us': 12, // the publish script, one item, one subscriber
  'redis-subscriber-us': 0.32, // each further subscribing process, per message
  'redis-presence-us': 15, // one presence report
  'redis-message-bytes': 230, // one message with one item, on the wire
  'redis-cpu-target': 0.7,
};

const options = { ...DEFAULTS };
const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('options (defaults):');
  for (const [key, value] of Object.entries(DEFAULTS)) console.log(`  --${key} ${value}`);
  process.exit(0);
}
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in DEFAULTS)) throw new Error(`unknown option --${key} (see --help)`);
  options[key] = key === 'affinity' ? argv[i + 1] : Number(argv[i + 1]);
}
console.log(JSON.stringify(model(options), null, 2));

export function model(o) {
  const V = o.viewers;
  const R = o.rooms;
  const c = o['comments-per-room'];
  const W = o['window-ms'] / 1000;
  const perRoom = V / R;
  // Frames per member per second: a busy room sends one per window, a quiet one one per comment.
  const f = Math.min(c, 1 / W);
  // Items per frame: what a window holds, thinned to BATCH_MAX_ITEMS.
  const k = Math.min(o['max-items'], Math.max(1, c / f));
  const frameBytes = 40 + k * o['item-bytes'];

  // Rooms with members in one process of n viewers.
  const roomsLocal = (n) => {
    if (o.affinity === 'machine') {
      // A room's viewers fill whole machines; each worker of a machine sees all its rooms.
      const viewersPerMachine = n * o['cores-per-machine'];
      return Math.min(R, Math.max(1, viewersPerMachine / perRoom));
    }
    return R * (1 - Math.exp(-n / R));
  };
  const cpu = (n) => n * f * o['frame-us'] + roomsLocal(n) * c * o['message-us'];
  // Largest n within the CPU target and the connection limit.
  let low = 1;
  let high = o['fd-limit'];
  if (cpu(low) > o['cpu-target'] * 1e6) throw new Error('one viewer already exceeds the CPU target: the room sends too much');
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (cpu(mid) <= o['cpu-target'] * 1e6) low = mid;
    else high = mid - 1;
  }
  const n = low;
  const processes = Math.ceil(V / n);
  const bytesPerProcess = n * f * frameBytes;
  const memoryPerProcessMB = o['rss-base-mb'] + (n * o['rss-per-viewer-kb']) / 1000;
  const workersPerMachine = Math.max(
    1,
    Math.min(
      o['cores-per-machine'],
      Math.floor((o['nic-gbps'] * 1e9) / 8 / bytesPerProcess),
      Math.floor((o['memory-per-machine-gb'] * 1000) / memoryPerProcessMB),
    ),
  );
  const machines = Math.ceil(processes / workersPerMachine);

  // Subscribing processes per room.
  const subscribers =
    R === 1
      ? processes
      : o.affinity === 'machine'
        ? Math.ceil(perRoom / (n * workersPerMachine)) * Math.min(workersPerMachine, perRoom)
        : processes * (1 - Math.exp(-perRoom / processes));
  const publishes = R * c;
  const messagesOut = publishes * subscribers;
  const pubsubUs = publishes * (o['redis-publish-us'] + o['redis-subscriber-us'] * subscribers);
  const presenceCalls = (processes * roomsLocal(n)) / (o['online-interval-ms'] / 2000);
  const presenceUs = presenceCalls * o['redis-presence-us'];
  const redisCores = (pubsubUs + presenceUs) / 1e6;
  const busiestRoomCores = (c * (o['redis-publish-us'] + o['redis-subscriber-us'] * subscribers)) / 1e6;
  const shards = Math.max(1, Math.ceil(redisCores / o['redis-cpu-target']));

  const round = (x, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
  return {
    perViewer: { framesPerSecond: round(f, 2), itemsPerFrame: round(k, 1), frameBytes: round(frameBytes), bytesPerSecond: round(f * frameBytes) },
    perProcess: {
      viewers: n,
      limitedBy: n === o['fd-limit'] ? 'connections' : 'CPU',
      roomsWithMembers: round(roomsLocal(n), 1),
      framesPerSecond: round(n * f),
      deliveriesPerSecond: round(n * f * k),
      cpuShare: round(cpu(n) / 1e6, 2),
      megabytesPerSecond: round(bytesPerProcess / 1e6, 1),
      memoryMB: round(memoryPerProcessMB),
    },
    processes,
    machines: {
      count: machines,
      workersPerMachine,
      size: `${o['cores-per-machine']} cores, ${o['memory-per-machine-gb']} GB, ${o['nic-gbps']} Gbit/s`,
      egressGbpsEach: round((workersPerMachine * bytesPerProcess * 8) / 1e9, 1),
    },
    network: { viewerEgressGbps: round((V * f * frameBytes * 8) / 1e9, 1), redisEgressGbps: round((messagesOut * o['redis-message-bytes'] * 8) / 1e9, 2) },
    redis: {
      subscribersPerRoom: round(subscribers, 1),
      publishCallsPerSecond: round(publishes),
      messagesOutPerSecond: round(messagesOut),
      presenceCallsPerSecond: round(presenceCalls),
      cpuCores: round(redisCores, 2),
      busiestChannelCores: round(busiestRoomCores, 2),
      shards,
      historyMemoryGB: round((R * o['history-size'] * o['item-bytes']) / 1e9, 2),
      note:
        busiestRoomCores > o['redis-cpu-target']
          ? 'one channel needs more than one Redis core: it cannot be split over shards; batch its publishes'
          : undefined,
    },
  };
}
