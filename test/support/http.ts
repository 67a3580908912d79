export interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers };
}

export async function postJson(base: string, path: string, body: unknown, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return answer(await fetch(base + path, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) }));
}

export async function postForm(base: string, path: string, form: Record<string, string>, token?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (token) headers.authorization = `Bearer ${token}`;
  return answer(await fetch(base + path, { method: 'POST', headers, body: new URLSearchParams(form).toString() }));
}

export async function get(base: string, path: string): Promise<Answer> {
  return answer(await fetch(base + path));
}

export const roomPath = (room: string) => `/rooms/${encodeURIComponent(room)}`;
