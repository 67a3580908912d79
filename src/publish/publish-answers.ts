import type { Receipt } from '../broker/broker.js';

/**
 * The bodies of the POST routes, built from a publish's receipt, so a repeat of an
 * Idempotency-Key answers exactly what the first call did.
 */
export const commentAnswer = (receipt: Receipt) => ({ id: receipt.id, seq: receipt.seq });

export const batchAnswer = (receipt: Receipt) => ({
  accepted: receipt.count,
  firstSeq: receipt.seq,
  lastSeq: receipt.seq + receipt.count - 1,
});

export const broadcastAnswer = (receipt: Receipt) => ({ id: receipt.id });

export const pushAnswer = (receipt: Receipt) => ({ accepted: receipt.count });
