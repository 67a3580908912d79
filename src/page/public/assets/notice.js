// Messages pushed to this viewer alone (POST /users/:user/messages): shown as a notice
// in the corner, not as a flying comment. Self-contained: it makes its own container.

/** How long a notice stays unless closed. */
const NOTICE_MS = 10_000;
/** Notices on screen at once; the oldest goes first. */
const MAX_NOTICES = 3;

/** Shows each item of a one-user push as a notice (text only, never HTML). */
export function showUserPush(data) {
  for (const item of Array.isArray(data.items) ? data.items : []) {
    const text = item && typeof item === 'object' && typeof item.text === 'string' ? item.text : JSON.stringify(item);
    showNotice(text);
  }
}

function showNotice(text) {
  const region = container();
  const notice = document.createElement('div');
  notice.className = 'notice';
  const label = document.createElement('strong');
  label.textContent = 'Message for you';
  const body = document.createElement('p');
  body.textContent = text;
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'notice-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  const remove = () => notice.remove();
  close.addEventListener('click', remove);
  notice.append(label, body, close);
  region.append(notice);
  while (region.children.length > MAX_NOTICES) region.firstElementChild.remove();
  setTimeout(remove, NOTICE_MS);
}

function container() {
  let region = document.getElementById('notices');
  if (!region) {
    region = document.createElement('div');
    region.id = 'notices';
    region.className = 'notices';
    // Read out politely, like a status line.
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    document.body.append(region);
  }
  return region;
}
