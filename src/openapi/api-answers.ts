import { applyDecorators } from '@nestjs/common';
import { ApiBadRequestResponse, ApiHeader, ApiParam, ApiPayloadTooLargeResponse, ApiProperty, ApiPropertyOptional, ApiResponse, ApiServiceUnavailableResponse, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

/** Nest's usual error body: what every 4xx and 5xx of the API answers. */
export class ErrorAnswer {
  @ApiProperty({ example: 400 })
  statusCode: number;

  @ApiProperty({
    description: 'What is wrong; for bad input, one line per field that failed',
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['text must be a string of 1 to 200 characters'],
  })
  message: string | string[];

  @ApiPropertyOptional({ example: 'Bad Request' })
  error?: string;
}

/** A comment filter's refusal (422). */
export class RejectionAnswer {
  @ApiProperty({ example: 422 })
  statusCode: number;

  @ApiProperty({ type: [String], description: "The filter's reason", example: ['comment contains a blocked word'] })
  message: string[];

  @ApiProperty({ example: 'Unprocessable Entity' })
  error: string;

  @ApiPropertyOptional({ description: 'For a batch, the index of the refused item (nothing of the batch is published)' })
  index?: number;
}

/** The answers every admin (POST) route shares (PROTOCOL.md section 2). */
export function ApiAdminAnswers(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiBadRequestResponse({ description: 'Bad input: `message` names each field that is wrong', type: ErrorAnswer }),
    ApiUnauthorizedResponse({
      description: 'No valid `Authorization: Bearer ADMIN_TOKEN`; without ADMIN_TOKEN, a caller that is not on loopback or came through a proxy',
      type: ErrorAnswer,
    }),
    ApiPayloadTooLargeResponse({ description: 'A body over 1 MiB', type: ErrorAnswer }),
    ApiTooManyRequestsResponse({
      description: 'Overloaded: the server refuses publishes it could not deliver in time; retry after `Retry-After` seconds',
      type: ErrorAnswer,
      headers: { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', example: 1 } } },
    }),
    ApiServiceUnavailableResponse({ description: 'The broker (Redis) is down', type: ErrorAnswer }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description: 'A repeat within IDEMPOTENCY_TTL_S gets the first answer again and publishes nothing (1 to 128 visible ASCII characters)',
    }),
  );
}

/** The answer of a filter refusing a comment. */
export function ApiRejectionAnswer(): MethodDecorator {
  return ApiResponse({ status: 422, description: 'A comment filter refused the comment (or an item of the batch)', type: RejectionAnswer });
}

/** The `:room` path parameter. */
export function ApiRoomParam(): MethodDecorator {
  return ApiParam({ name: 'room', description: 'Room id: 1 to 64 characters, any script, no control characters (percent-encoded)', example: 'lobby' });
}

/** A bad `:room` in the path. */
export function ApiBadRoomAnswer(): MethodDecorator {
  return applyDecorators(
    ApiRoomParam(),
    ApiBadRequestResponse({ description: 'The room id is not 1 to 64 characters without control characters', type: ErrorAnswer }),
  );
}
