import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { PushAllDto, PushRoomDto } from './dto/go-push.dto.js';
import { IdempotencyKey } from './idempotency-key.js';
import { pushAnswer } from './publish-answers.js';
import { PublishService } from './publish.service.js';
import { splitJsonArray } from './split-json-array.js';

/** go-push's publishing API: form-encoded items, delivered verbatim. */
@Controller('push')
@UseGuards(AdminGuard)
@UsePipes(InputValidationPipe)
export class GoPushController {
  constructor(private readonly publisher: PublishService) {}

  @Post('room')
  @HttpCode(200)
  async pushRoom(@Body() form: PushRoomDto, @IdempotencyKey() key: string | undefined) {
    return pushAnswer(await this.publisher.pushVerbatimOnce(form.room, itemsOf(form), key));
  }

  @Post('all')
  @HttpCode(200)
  async pushAll(@Body() form: PushAllDto, @IdempotencyKey() key: string | undefined) {
    return pushAnswer(await this.publisher.pushVerbatimOnce(null, itemsOf(form), key));
  }
}

function itemsOf(form: PushAllDto): string[] {
  if (form.items !== undefined) {
    const items = splitJsonArray(form.items);
    if (items === null) throw new BadRequestException(['items must be a JSON array']);
    return items;
  }
  if (form.msg !== undefined) {
    const msg = form.msg.trim();
    if (splitJsonArray(`[${msg}]`)?.length !== 1) throw new BadRequestException(['msg must be one JSON value']);
    return [msg];
  }
  throw new BadRequestException(['items must be a JSON array']);
}
