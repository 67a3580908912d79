import type { IncomingMessage } from 'node:http';

/** Why a body could not be read; `type` as raw-body names its errors. */
export interface BodyError {
  message: string;
  type?: string;
}

export type BodyCallback = (error: BodyError | undefined, body?: Buffer) => void;

/**
 * The body of a request whose Content-Length is `length`, as raw-body reads it (same
 * outcomes, same messages and types), for the direct publish route: a comment's body
 * comes in one chunk, and raw-body's options, decoders and async wrapping cost more than
 * reading it. Calls `done` once, or never when the request closes without ending.
 */
export function readBody(request: IncomingMessage, length: number, done: BodyCallback): void {
  let first: Buffer | undefined;
  let more: Buffer[] | undefined;
  let received = 0;
  const finish = (error: BodyError | undefined, body?: Buffer) => {
    cleanup();
    // raw-body halts the stream on an error: nothing more is read from it.
    if (error) request.pause();
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    received += chunk.length;
    if (first === undefined) first = chunk;
    else (more ??= [first]).push(chunk);
  };
  const onEnd = (error?: Error) => {
    if (error) return finish(error);
    if (received !== length) return finish({ message: 'request size did not match content length', type: 'request.size.invalid' });
    finish(undefined, more ? Buffer.concat(more) : (first ?? Buffer.alloc(0)));
  };
  const onAborted = () => finish({ message: 'request aborted', type: 'request.aborted' });
  const cleanup = () => {
    request.off('aborted', onAborted);
    request.off('data', onData);
    request.off('end', onEnd);
    request.off('error', onEnd);
    request.off('close', cleanup);
  };
  request.on('aborted', onAborted);
  request.on('close', cleanup);
  request.on('data', onData);
  request.on('end', onEnd);
  request.on('error', onEnd);
}
