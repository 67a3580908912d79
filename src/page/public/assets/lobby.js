// GET / : live rooms from the server, and a box to type a room name.
import { withBase } from './base.js';
import { isValidRoomId, MAX_ROOM_CHARS, roomHref } from './text.js';

const REFRESH_MS = 5000;
const $ = (id) => document.getElementById(id);

export function startLobby() {
  document.title = 'danmaku · live rooms';
  $('lobby').hidden = false;

  const input = $('room-input');
  const error = $('join-error');
  $('join-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const room = input.value.trim();
    if (!room) {
      error.textContent = 'Type a room name first.';
    } else if (!isValidRoomId(room)) {
      error.textContent = `A room name is 1 to ${MAX_ROOM_CHARS} characters, with no control characters.`;
    } else {
      location.assign(roomHref(room));
      return;
    }
    input.focus();
  });
  input.addEventListener('input', () => (error.textContent = ''));

  $('curl-hint').textContent =
    `curl -X POST http://${location.host}${withBase('/rooms/lobby/comments')} \\\n` +
    `  -H 'content-type: application/json' \\\n` +
    `  -d '{"text":"hello, world","color":"#ffd166"}'`;

  let timer = 0;
  const refresh = async () => {
    clearTimeout(timer);
    try {
      const response = await fetch(withBase('/api/rooms'), { cache: 'no-store' });
      if (!response.ok) throw new Error(String(response.status));
      render(await response.json());
    } catch {
      $('live-total').textContent = 'could not reach the server; retrying…';
    }
    timer = setTimeout(refresh, REFRESH_MS);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) clearTimeout(timer);
    else refresh();
  });
  refresh();
}

function render({ rooms, total }) {
  const list = $('room-list');
  const items = (Array.isArray(rooms) ? rooms : []).filter((r) => r && typeof r.room === 'string');
  $('rooms-empty').hidden = items.length > 0;
  $('live-total').textContent = items.length ? `${total} room${total === 1 ? '' : 's'}` : '';
  const fragment = document.createDocumentFragment();
  for (const { room, online } of items) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.className = 'room-card';
    a.href = roomHref(room);
    const name = document.createElement('span');
    name.className = 'room-card-name';
    name.textContent = room;
    const count = document.createElement('span');
    count.className = 'room-card-online';
    const dot = document.createElement('span');
    dot.className = 'live-dot';
    dot.setAttribute('aria-hidden', 'true');
    count.append(dot, `${Number(online) || 0} online`);
    a.append(name, count);
    li.append(a);
    fragment.append(li);
  }
  list.replaceChildren(fragment);
}
