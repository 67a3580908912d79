import { Body, Controller, Get, HttpCode, Param, Post, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Broker } from '../broker/broker.js';
import { ApiAdminAnswers, ApiBadRoomAnswer, ApiRejectionAnswer, ApiRoomParam, ErrorAnswer } from '../openapi/api-answers.js';
import { Presence } from '../presence/presence.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { Admitted, AdmissionGuard, alwaysPriority, priorityBatch, priorityComment } from './admission.guard.js';
import { CommentRejectedFilter } from './comment-rejected.filter.js';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { BatchPublishedAnswer, BroadcastAnswer, PublishedAnswer, RoomAnswer } from './dto/answers.dto.js';
import { CommentDto } from './dto/comment.dto.js';
import { IdempotencyKey } from './idempotency-key.js';
import { batchAnswer, broadcastAnswer, commentAnswer } from './publish-answers.js';
import { PublishService } from './publish.service.js';
import { RoomIdPipe } from './room-id.pipe.js';

/**
 * The publishing API. Well-formed publishes to the two comments routes are usually answered
 * by DirectPublishRoute, on the same paths with the same DTOs and answers; the routes here
 * are what it falls back to, and what the OpenAPI document describes for both.
 */
@ApiTags('comments')
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
  @ApiOperation({ summary: 'Publish a comment to a room' })
  @ApiBearerAuth()
  @ApiRoomParam()
  @ApiAcceptedResponse({ type: PublishedAnswer })
  @ApiAdminAnswers()
  @ApiRejectionAnswer()
  @Admitted(priorityComment)
  @UseGuards(AdminGuard, AdmissionGuard)
  @HttpCode(202)
  async comment(
    @Param('room', RoomIdPipe) room: string,
    @Body() comment: CommentDto,
    @IdempotencyKey() key: string | undefined,
  ) {
    return commentAnswer(await this.publisher.publishOnce(room, [comment], key));
  }

  @Post('rooms/:room/comments/batch')
  @ApiOperation({ summary: 'Publish 1 to 1000 comments to a room at once (all or none)' })
  @ApiBearerAuth()
  @ApiRoomParam()
  @ApiAcceptedResponse({ type: BatchPublishedAnswer })
  @ApiAdminAnswers()
  @ApiRejectionAnswer()
  @Admitted(priorityBatch)
  @UseGuards(AdminGuard, AdmissionGuard)
  @HttpCode(202)
  async batch(
    @Param('room', RoomIdPipe) room: string,
    @Body() batch: CommentBatchDto,
    @IdempotencyKey() key: string | undefined,
  ) {
    return batchAnswer(await this.publisher.publishOnce(room, batch.items, key));
  }

  @Post('broadcast')
  @ApiOperation({ summary: 'Send a comment to every connection (a PUSH with "room": null)' })
  @ApiBearerAuth()
  @ApiAcceptedResponse({ type: BroadcastAnswer })
  @ApiAdminAnswers()
  @ApiRejectionAnswer()
  @Admitted(alwaysPriority)
  @UseGuards(AdminGuard, AdmissionGuard)
  @HttpCode(202)
  async broadcast(@Body() comment: CommentDto, @IdempotencyKey() key: string | undefined) {
    return broadcastAnswer(await this.publisher.broadcastOnce(comment, key));
  }

  @Get('rooms/:room')
  @ApiOperation({ summary: "A room's viewers and last seq" })
  @ApiOkResponse({ type: RoomAnswer })
  @ApiBadRoomAnswer()
  @ApiServiceUnavailableResponse({ description: 'The shared presence store (Redis) is down', type: ErrorAnswer })
  async room(@Param('room', RoomIdPipe) room: string) {
    const [online, seq] = await Promise.all([this.presence.online(room), this.broker.lastSeq(room)]);
    return { room, online, seq };
  }
}
