import { BadRequestException, ValidationPipe } from '@nestjs/common';
import type { ValidationError } from 'class-validator';

/** A 400 over HTTP (Nest's usual body) that keeps which properties failed for the gateway. */
export class InvalidInputException extends BadRequestException {
  constructor(
    messages: string[],
    readonly properties: string[],
  ) {
    super(messages);
  }
}

/**
 * The one global ValidationPipe, for REST bodies and gateway messages alike: whitelist,
 * transform, and a failure that names each bad field.
 */
export class InputValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, transform: true });
  }

  override createExceptionFactory() {
    return (errors: ValidationError[] = []) =>
      new InvalidInputException(
        this.flattenValidationErrors(errors),
        errors.map((error) => error.property),
      );
  }
}
