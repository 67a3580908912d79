// Entry point: `/room/:room` is a room, anything else the lobby.
import { startLobby } from './lobby.js';
import { startRoom } from './room.js';
import { BASE } from './base.js';
import { isValidRoomId } from './text.js';

function roomFromPath(pathname) {
  if (!pathname.startsWith(BASE)) return null;
  const match = /^\/room\/([^/]+)\/?$/.exec(pathname.slice(BASE.length));
  if (!match) return null;
  try {
    const room = decodeURIComponent(match[1]);
    return isValidRoomId(room) ? room : null;
  } catch {
    return null;
  }
}

const room = roomFromPath(location.pathname);
if (room === null) startLobby();
else startRoom(room);
