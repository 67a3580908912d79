import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { Broker } from '../broker/broker.js';
import { RoomService } from '../rooms/room.service.js';
import { AdminGuard } from './admin.guard.js';
import { CommentBatchDto } from './dto/comment-batch.dto.js';
import { CommentDto } from './dto/comment.dto.js';
import { PublishService } from './publish.service.js';
import { RoomIdPipe } from './room-id.pipe.js';

@Controller()
export class CommentsController {
  constructor(
    private readonly publisher: PublishService,
    private readonly rooms: RoomService,
    private readonly broker: Broker,
  ) {}

  @Post('rooms/:room/comments')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async comment(@Param('room', RoomIdPipe) room: string, @Body() comment: CommentDto) {
    const [published] = await this.publisher.publish(room, [comment]);
    return published;
  }

  @Post('rooms/:room/comments/batch')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async batch(@Param('room', RoomIdPipe) room: string, @Body() batch: CommentBatchDto) {
    const published = await this.publisher.publish(room, batch.items);
    return { accepted: published.length, firstSeq: published[0].seq, lastSeq: published.at(-1)!.seq };
  }

  @Post('broadcast')
  @UseGuards(AdminGuard)
  @HttpCode(202)
  async broadcast(@Body() comment: CommentDto) {
    const { id } = await this.publisher.broadcast(comment);
    return { id };
  }

  @Get('rooms/:room')
  async room(@Param('room', RoomIdPipe) room: string) {
    return { room, online: this.rooms.onlineIn(room), seq: await this.broker.lastSeq(room) };
  }
}
