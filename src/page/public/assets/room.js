// GET /room/:room : the stage, the send box, the comments list and the connection.
import { CommentList } from './comment-list.js';
import { withBase } from './base.js';
import { DanmakuClient } from './client/index.js';
import { showUserPush } from './notice.js';
import { DanmakuStage } from './stage.js';
import { COLOR_PATTERN, codePoints, MAX_TEXT_CHARS, MODES, normalizeItem, prefs } from './text.js';

const PALETTE = [
  ['#ffffff', 'White'],
  ['#ff5c5c', 'Red'],
  ['#ff9f43', 'Orange'],
  ['#ffd166', 'Yellow'],
  ['#3ddc97', 'Green'],
  ['#4cc9f0', 'Cyan'],
  ['#7c9cff', 'Blue'],
  ['#b388ff', 'Violet'],
  ['#ff7eb3', 'Pink'],
];

/** How each ERROR code reads to a viewer. */
const ERROR_WORDS = {
  RATE_LIMITED: () => 'Slow down: you are sending comments too fast. Wait a moment, then try again.',
  BAD_COMMENT: (m) => `That comment can't be sent: ${m || 'the text, colour or position is not accepted'}.`,
  NOT_JOINED: () => 'Not in the room yet. Wait for the connection, then try again.',
  BAD_ROOM: (m) => `This room name is not accepted: ${m}.`,
  ROOM_LIMIT: (m) => `Too many rooms open on this connection: ${m}.`,
  BAD_FRAME: (m) => `The server could not read that: ${m}.`,
  UNKNOWN_TYPE: (m) => `The server did not understand that: ${m}.`,
};

/** An overload refusal (the server's load, not the viewer's pace) carries retryAfter. */
function errorWords(code, message, retryAfter) {
  if (code === 'RATE_LIMITED' && typeof retryAfter === 'number') {
    return `The room is very busy right now, so your comment was not sent. Try again in ${retryAfter} s.`;
  }
  return (ERROR_WORDS[code] ?? ((m) => `The server refused it: ${m || code}.`))(typeof message === 'string' ? message : '');
}

const SHORT_REASON = {
  RATE_LIMITED: 'too fast',
  BAD_COMMENT: 'not accepted',
  NOT_JOINED: 'not in the room',
};

/** No ACK or ERROR within this time: the comment's fate is unknown. */
const ACK_TIMEOUT_MS = 10_000;

const $ = (id) => document.getElementById(id);

export function startRoom(room) {
  document.title = `${room} · danmaku`;
  $('room').hidden = false;
  $('room-name').textContent = room;
  $('room-name').title = room;

  const params = new URLSearchParams(location.search);
  setUpVideo(params.get('video'));

  const stage = new DanmakuStage($('layer'));
  const list = new CommentList($('comment-list'));
  const status = statusLine($('send-status'));
  setUpControls(stage, list);

  // The viewer's own comments: shown at once, then matched with the server's copy so
  // they never show twice.
  const pending = new Map(); // cid -> { text, color, mode, entry, flying, id }
  const ownIds = new Set();
  const unconfirmed = []; // own comments whose socket closed before their ACK
  let cidCounter = 0;

  const wsScheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // The viewer's credentials ride along: `?token=` (the protocol's JWT) or whatever a host
  // app's own authenticator reads; only the page's own `video` stays behind.
  const credentials = new URLSearchParams(params);
  credentials.delete('video');
  const query = credentials.size > 0 ? `?${credentials}` : '';
  let wasLive = false;
  let lostNoted = false;
  let countdown = 0;

  const connection = new DanmakuClient({
    url: `${wsScheme}://${location.host}${withBase('/connect')}${query}`,
    rooms: [room],
    commentTimeoutMs: ACK_TIMEOUT_MS,
  });
  connection.on('state', (state) => {
    showConnection(state);
    if (state.name === 'waiting' && wasLive && !lostNoted) {
      lostNoted = true;
      list.system('Connection lost. Reconnecting…');
    }
  });
  connection.on('joined', (data) => {
    if (data.resumed && lostNoted) list.system('Reconnected.');
    wasLive = true;
    lostNoted = false;
  });
  connection.on('online', ({ online }) => ($('online-count').textContent = String(online)));
  // A message to this viewer alone is a notice, not a comment on the stage.
  connection.on('item', (value, { to }) => {
    if (to === undefined) receive(value);
  });
  connection.on('push', (push) => {
    if (push.room === null && push.to !== undefined) showUserPush(push);
  });
  connection.on('gap', () => {
    list.system('Some comments from while you were away could not be recovered.');
    const badge = $('gap-badge');
    badge.hidden = false;
    clearTimeout(badge.timer);
    badge.timer = setTimeout(() => (badge.hidden = true), 6000);
  });
  // A room the server refuses now would be refused on every retry.
  connection.on('refused', ({ error }) => {
    connection.close();
    showConnection({ name: 'refused', code: error.code, message: error.message });
  });
  connection.on('error', ({ code, message }) => status.show(`${errorWords(code, message)} (${code})`, 'error'));

  function sent(cid, own, { id }) {
    pending.delete(cid);
    if (typeof id === 'string') ownIds.add(id);
    list.setState(own.entry, 'sent');
    status.show('Sent.', 'ok', 2500);
  }

  function notSent(cid, own, error) {
    pending.delete(cid);
    const code = error?.code;
    if (code === 'CONNECTION_LOST' || code === 'CLOSED') {
      // Unconfirmed, not refused: the resume's replay may still bring it back.
      list.setState(own.entry, 'failed', 'connection lost before the server confirmed it');
      if (!own.id) unconfirmed.push(own);
      unconfirmed.splice(0, unconfirmed.length - 20);
      return;
    }
    if (code === 'TIMEOUT') {
      list.setState(own.entry, 'failed', 'no answer from the server');
      return;
    }
    stage.remove(own.flying);
    const busy = code === 'RATE_LIMITED' && typeof error?.retryAfter === 'number';
    list.setState(own.entry, 'failed', busy ? 'room busy' : SHORT_REASON[code] ?? String(code).toLowerCase());
    // Give the text back so it can be sent again.
    if (!textInput.value) {
      textInput.value = own.text;
      updateCount();
    }
    status.show(`${errorWords(code, error?.message, error?.retryAfter)} (${code})`, 'error');
  }

  function receive(value) {
    const item = normalizeItem(value);
    if (!item) return;
    if (item.id && ownIds.has(item.id)) return;
    if (item.id) {
      // A PUSH may overtake its ACK: recognise the viewer's own comment by its content.
      const same = (own) => !own.id && own.text === item.text && own.color === item.color && own.mode === item.mode;
      for (const own of pending.values()) {
        if (same(own)) {
          own.id = item.id;
          ownIds.add(item.id);
          return;
        }
      }
      const lost = unconfirmed.findIndex(same);
      if (lost >= 0) {
        list.setState(unconfirmed[lost].entry, 'sent');
        unconfirmed.splice(lost, 1);
        ownIds.add(item.id);
        return;
      }
    }
    stage.add(item);
    list.add(item);
  }

  function showConnection(state) {
    const pill = $('conn');
    const text = $('conn-text');
    const retry = $('retry');
    clearInterval(countdown);
    pill.dataset.state = state.name;
    retry.hidden = !(state.name === 'waiting' || state.name === 'stopped');
    switch (state.name) {
      case 'connecting':
        text.textContent = wasLive ? 'Reconnecting…' : 'Connecting…';
        break;
      case 'live':
        text.textContent = 'Live';
        break;
      case 'waiting': {
        const tick = () => {
          const seconds = Math.max(0, Math.ceil((state.retryAt - Date.now()) / 1000));
          text.textContent = seconds > 0 ? `Offline, retrying in ${seconds} s` : 'Offline, retrying…';
        };
        tick();
        countdown = setInterval(tick, 1000);
        break;
      }
      case 'stopped':
        text.textContent =
          state.reason === 'policy'
            ? 'Disconnected: too many comments refused (1008)'
            : 'Not allowed in (401): this room needs a valid viewer token';
        break;
      case 'refused':
        pill.dataset.state = 'stopped';
        retry.hidden = true;
        text.textContent = `Refused: ${state.message ?? state.code}`;
        break;
      case 'closed':
        // Only after a refusal, which has said why.
        return;
      default:
        text.textContent = state.name;
    }
    // Screen readers hear each change of state once, not every tick of the countdown.
    const announce = $('conn-announce');
    const words = state.name === 'waiting' ? 'Connection lost, reconnecting.' : text.textContent;
    if (announce.textContent !== words) announce.textContent = words;
  }
  $('retry').addEventListener('click', () => connection.retryNow());

  // ----- the send box -----
  const form = $('composer');
  const textInput = $('text');
  const count = $('count');
  const picked = setUpPickers();

  function updateCount() {
    const n = codePoints(textInput.value);
    count.textContent = `${n}/${MAX_TEXT_CHARS}`;
    count.classList.toggle('near', n > MAX_TEXT_CHARS - 20 && n <= MAX_TEXT_CHARS);
    count.classList.toggle('over', n > MAX_TEXT_CHARS);
    textInput.setAttribute('aria-invalid', String(n > MAX_TEXT_CHARS));
  }
  textInput.addEventListener('input', updateCount);
  updateCount();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = textInput.value.trim();
    const n = codePoints(text);
    if (n === 0) return status.show('Type something first.', 'info', 2500);
    if (n > MAX_TEXT_CHARS) return status.show(`Too long: ${n} characters, ${MAX_TEXT_CHARS} at most.`, 'error');
    const { color, mode } = picked();
    const cid = `c${Date.now().toString(36)}-${++cidCounter}`;
    if (!connection.isJoined(room)) {
      return status.show('Not connected right now: your comment was not sent.', 'error');
    }
    // The same normalisation the server's copy will get, so the two can be matched.
    const item = normalizeItem({ text, color, mode });
    const own = {
      text: item.text,
      color,
      mode,
      id: null,
      entry: list.add({ ...item, own: true, state: 'sending' }),
      flying: stage.add(item, true),
    };
    pending.set(cid, own);
    connection.comment(room, { text, color, mode, cid }).then(
      (ack) => sent(cid, own, ack),
      (error) => notSent(cid, own, error),
    );
    textInput.value = '';
    updateCount();
    status.show('Sending…', 'info');
  });

  // Exposed for debugging from the console (and for the browser tests' assertions).
  window.danmaku = { stage, list, connection };
  connection.connect();
}

function setUpPickers() {
  const swatches = $('swatches');
  const custom = $('custom-color');
  let color = prefs.get('color', '#ffffff');
  if (typeof color !== 'string' || !COLOR_PATTERN.test(color)) color = '#ffffff';
  const radios = [];
  for (const [value, name] of PALETTE) {
    const label = document.createElement('label');
    label.className = 'swatch';
    label.title = name;
    label.style.setProperty('--swatch', value);
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'color';
    input.value = value;
    input.setAttribute('aria-label', name);
    input.checked = value === color;
    input.addEventListener('change', () => {
      color = value;
      custom.closest('label').classList.remove('chosen');
      prefs.set('color', color);
    });
    label.append(input);
    swatches.append(label);
    radios.push(input);
  }
  if (!PALETTE.some(([value]) => value === color)) {
    custom.value = color;
    custom.closest('label').classList.add('chosen');
  }
  custom.addEventListener('input', () => {
    color = custom.value.toLowerCase();
    for (const radio of radios) radio.checked = false;
    custom.closest('label').classList.add('chosen');
    prefs.set('color', color);
  });

  const modes = [...document.querySelectorAll('input[name="mode"]')];
  const savedMode = prefs.get('mode', 'scroll');
  for (const radio of modes) {
    radio.checked = radio.value === (MODES.includes(savedMode) ? savedMode : 'scroll');
    radio.addEventListener('change', () => prefs.set('mode', radio.value));
  }
  return () => ({ color, mode: modes.find((r) => r.checked)?.value ?? 'scroll' });
}

function setUpControls(stage, list) {
  const pause = $('pause');
  pause.addEventListener('click', () => {
    const paused = pause.getAttribute('aria-pressed') !== 'true';
    pause.setAttribute('aria-pressed', String(paused));
    $('pause-label').textContent = paused ? 'Resume' : 'Pause';
    $('pause-icon').setAttribute('href', withBase(`/assets/icons.svg#${paused ? 'play' : 'pause'}`));
    $('paused-badge').hidden = !paused;
    stage.setPaused(paused);
  });

  const slider = (id, key, fallback, apply) => {
    const input = $(id);
    const output = $(`${id}-value`);
    const saved = Number(prefs.get(key, fallback));
    input.value = String(Number.isFinite(saved) ? saved : fallback);
    const update = () => {
      output.textContent = `${input.value}%`;
      apply(Number(input.value) / 100);
      prefs.set(key, Number(input.value));
    };
    input.addEventListener('input', update);
    update();
  };
  slider('opacity', 'opacity', 100, (v) => stage.setOpacity(v));
  slider('density', 'density', 100, (v) => stage.setDensity(v));

  const toggle = $('toggle-list');
  const apply = (shown) => {
    toggle.setAttribute('aria-pressed', String(shown));
    $('panel').hidden = !shown;
    $('room-layout').classList.toggle('no-panel', !shown);
    list.setVisible(shown);
    prefs.set('list', shown);
  };
  toggle.addEventListener('click', () => apply(toggle.getAttribute('aria-pressed') !== 'true'));
  apply(prefs.get('list', true) !== false);
}

function setUpVideo(source) {
  if (!source) return;
  let url;
  try {
    url = new URL(source, location.href);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  const video = $('video');
  video.src = url.href;
  video.hidden = false;
  $('stage').classList.add('has-video');
  video.addEventListener('error', () => {
    video.hidden = true;
    $('stage').classList.remove('has-video');
  });
}

function statusLine(element) {
  let timer = 0;
  return {
    show(text, kind, clearAfterMs) {
      clearTimeout(timer);
      element.textContent = text;
      element.dataset.kind = kind;
      if (clearAfterMs) {
        timer = setTimeout(() => {
          element.textContent = '';
          delete element.dataset.kind;
        }, clearAfterMs);
      }
    },
  };
}
