// The kernel's count of connections a full accept queue turned away (TcpExt ListenOverflows
// and ListenDrops, machine-wide): a storm that overflows the server's listen backlog shows up
// here, and its clients wait for SYN/ACK retransmits (1 s, 3 s, 7 s, ...), not for the server.
import { readFileSync } from 'node:fs';

export function listenDrops() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const i = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[i].split(/\s+/);
    const values = lines[i + 1].split(/\s+/).map(Number);
    const at = (name) => values[names.indexOf(name)] ?? 0;
    return { overflows: at('ListenOverflows'), drops: at('ListenDrops') };
  } catch {
    return { overflows: null, drops: null };
  }
}

/** What happened between two listenDrops() readings. */
export function listenDropsSince(before) {
  const now = listenDrops();
  return before.overflows === null || now.overflows === null ? null : now.overflows - before.overflows;
}
