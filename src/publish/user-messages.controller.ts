import { Body, Controller, HttpCode, Param, Post, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiAdminAnswers, ApiRejectionAnswer } from '../openapi/api-answers.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { Admitted, AdmissionGuard, priorityComment } from './admission.guard.js';
import { CommentRejectedFilter } from './comment-rejected.filter.js';
import { BroadcastAnswer } from './dto/answers.dto.js';
import { UserMessageDto } from './dto/user-message.dto.js';
import { IdempotencyKey } from './idempotency-key.js';
import { PublishService } from './publish.service.js';
import { UserIdPipe } from './user-id.pipe.js';

/** Messages to one user: every connection of that viewer, on every process sharing the broker. */
@ApiTags('users')
@Controller()
@UsePipes(InputValidationPipe)
@UseFilters(CommentRejectedFilter)
export class UserMessagesController {
  constructor(private readonly publisher: PublishService) {}

  @Post('users/:user/messages')
  @ApiOperation({ summary: 'Push a message to every connection of one user, on every process' })
  @ApiBearerAuth()
  @ApiParam({ name: 'user', description: 'The viewer: a JWT `sub` or the user an authenticator names, 1 to 64 characters (percent-encoded)' })
  @ApiAcceptedResponse({ type: BroadcastAnswer, description: 'Pushed (also when the user has no connection: nothing is kept)' })
  @ApiAdminAnswers()
  @ApiRejectionAnswer()
  @Admitted(priorityComment)
  @UseGuards(AdminGuard, AdmissionGuard)
  @HttpCode(202)
  async message(
    @Param('user', UserIdPipe) user: string,
    @Body() message: UserMessageDto,
    @IdempotencyKey() key: string | undefined,
  ) {
    return { id: await this.publisher.pushToUserOnce(user, message, key) };
  }
}
