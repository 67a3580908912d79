import { OVERLOADED_MESSAGE, RETRY_AFTER_SECONDS } from '../admission/admission.service.js';
import { ProtocolError } from './protocol-error.js';

/**
 * The answer to a COMMENT refused for the server's load (PROTOCOL.md section 7). The
 * server's load, not the client's rate: no close code, and not counted toward the 1008
 * close for abusive clients, so a storm never disconnects viewers. One instance, thrown
 * as is: a storm refuses thousands a second, and each new Error would capture a stack.
 */
export const OVERLOAD_REFUSAL = new ProtocolError('RATE_LIMITED', OVERLOADED_MESSAGE, { retryAfter: RETRY_AFTER_SECONDS });
