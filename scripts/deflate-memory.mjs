// KB of server RSS per connection with permessage-deflate negotiated and a compressed
// message sent on every connection, against the same clients without compression.
// Needs the built server (npm run build); usage: node scripts/deflate-memory.mjs [connections]
import { spawn } from 'node:child_process';
import WebSocket from 'ws';

const CONNECTIONS = Number(process.argv[2] ?? 3000);

async function measure(compression) {
  const server = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH, NO_COLOR: '1', HOST: '127.0.0.1', PORT: '0', COMPRESSION: compression },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match) resolve(match[1]);
    };
    server.stdout.on('data', onData);
    server.stderr.on('data', onData);
    server.on('exit', (code) => reject(new Error(`server exited ${code}: ${output}`)));
  });
  const stats = async () => (await fetch(`http://127.0.0.1:${port}/stats`)).json();
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
  await settle();
  const idle = (await stats()).rssBytes;
  const clients = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    // threshold 0: the client compresses everything it sends, as browsers do.
    const ws = new WebSocket(`ws://127.0.0.1:${port}/connect`, { perMessageDeflate: { threshold: 0 } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const joined = new Promise((resolve) => ws.on('message', (data) => data.toString().includes('"JOINED"') && resolve()));
    ws.send(JSON.stringify({ type: 'JOIN', data: { room: `room-${i % 20}` } }));
    await joined;
    clients.push(ws);
  }
  await settle();
  const after = await stats();
  for (const ws of clients) ws.terminate();
  server.kill('SIGTERM');
  return { compression, compressedConnections: after.compressedConnections, kbPerConnection: (after.rssBytes - idle) / 1024 / CONNECTIONS };
}

for (const compression of ['off', 'deflate']) {
  const result = await measure(compression);
  console.log(`COMPRESSION=${result.compression}: ${result.kbPerConnection.toFixed(1)} KB RSS per connection (${result.compressedConnections} compressed)`);
}
