import { BadRequestException, type ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** The request header naming a POST for at-most-once publishing (PROTOCOL.md section 8). */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';

/** 1 to 128 visible ASCII characters: enough for a UUID or a publisher's own request id. */
const VALID_KEY = /^[\x21-\x7e]{1,128}$/;

export const INVALID_KEY_MESSAGE = 'Idempotency-Key must be 1 to 128 visible ASCII characters';

/**
 * The request's Idempotency-Key, undefined when it sent none. A header given twice
 * arrives joined with ", " and is refused like any other bad key.
 * @throws BadRequestException for a bad key
 */
export function idempotencyKeyOf(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !VALID_KEY.test(header)) throw new BadRequestException([INVALID_KEY_MESSAGE]);
  return header;
}

/** The route's Idempotency-Key (`@IdempotencyKey() key: string | undefined`); a bad one answers 400. */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext) =>
  idempotencyKeyOf(context.switchToHttp().getRequest<IncomingMessage>().headers[IDEMPOTENCY_KEY_HEADER]),
);
