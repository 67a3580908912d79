import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { Broker } from '../broker/broker.js';
import { Presence } from '../presence/presence.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { CommentRejectedFilter } from './comment-rejected.filter.js';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { CommentDto } from './dto/comment.dto.js';
import { IdempotencyKey } from './idempotency-key.js';
import { batchAnswer, broadcastAnswer, commentAnswer } from './publish-answers.js';
import { PublishService } from './publish.service.js';
import { RoomIdPipe } from './room-id.pipe.js';

@Controller()
@UsePipes(InputValidationPipe)
@UseFilters(CommentRejectedFilter)
export class CommentsController {
  constructor(
    private readonly publisher: PublishService,
    private readonly broker: Broker,
    private readonly presence: Presence,
  ) {}

  @Post('rooms/:room/comments')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async comment(
    @Param('room', RoomIdPipe) room: string,
    @Body() comment: CommentDto,
    @IdempotencyKey() key: string | undefined,
  ) {
    return commentAnswer(await this.publisher.publishOnce(room, [comment], key));
  }

  @Post('rooms/:room/comments/batch')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async batch(
    @Param('room', RoomIdPipe) room: string,
    @Body() batch: CommentBatchDto,
    @IdempotencyKey() key: string | undefined,
  ) {
    return batchAnswer(await this.publisher.publishOnce(room, batch.items, key));
  }

  @Post('broadcast')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async broadcast(@Body() comment: CommentDto, @IdempotencyKey() key: string | undefined) {
    return broadcastAnswer(await this.publisher.broadcastOnce(comment, key));
  }

  @Get('rooms/:room')
  async room(@Param('room', RoomIdPipe) room: string) {
    const [online, seq] = await Promise.all([this.presence.online(room), this.broker.lastSeq(room)]);
    return { room, online, seq };
  }
}
