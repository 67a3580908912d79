import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus } from '@nestjs/common';
import type { Response } from 'express';
import { CommentRejectedError } from '../moderation/comment-filter.js';

/** A comment filter's refusal, over REST: 422 with the reason (and the item, for batches). */
@Catch(CommentRejectedError)
export class CommentRejectedFilter implements ExceptionFilter {
  catch(error: CommentRejectedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    response.status(HttpStatus.UNPROCESSABLE_ENTITY).json(rejectionBody(error));
  }
}

export function rejectionBody(error: CommentRejectedError) {
  return {
    statusCode: HttpStatus.UNPROCESSABLE_ENTITY,
    message: [error.reason],
    error: 'Unprocessable Entity',
    index: error.index,
  };
}
