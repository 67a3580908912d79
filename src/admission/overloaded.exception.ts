import { HttpException, HttpStatus } from '@nestjs/common';
import { OVERLOADED_MESSAGE } from './admission.service.js';

/** A REST publish refused by overload control: 429 with Nest's usual error body (Retry-After comes with it). */
export class OverloadedException extends HttpException {
  constructor() {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: OVERLOADED_MESSAGE, error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
