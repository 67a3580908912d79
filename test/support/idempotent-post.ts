import type { Answer } from './http.js';

/** A POST with an Idempotency-Key: JSON when `body` is an object, a form when it is URLSearchParams. */
export async function postOnce(base: string, path: string, key: string, body: object, adminToken?: string): Promise<Answer> {
  const form = body instanceof URLSearchParams;
  const response = await fetch(base + path, {
    method: 'POST',
    headers: {
      'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json',
      'idempotency-key': key,
      ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}),
    },
    body: form ? body.toString() : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}
