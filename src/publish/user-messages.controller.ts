import { Body, Controller, HttpCode, Param, Post, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { CommentRejectedFilter } from './comment-rejected.filter.js';
import { UserMessageDto } from './dto/user-message.dto.js';
import { PublishService } from './publish.service.js';
import { UserIdPipe } from './user-id.pipe.js';

/** Messages to one user: every connection of that viewer, on every process sharing the broker. */
@Controller()
@UsePipes(InputValidationPipe)
@UseFilters(CommentRejectedFilter)
export class UserMessagesController {
  constructor(private readonly publisher: PublishService) {}

  @Post('users/:user/messages')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async message(@Param('user', UserIdPipe) user: string, @Body() message: UserMessageDto) {
    const id = await this.publisher.pushToUser(user, message);
    return { id };
  }
}
