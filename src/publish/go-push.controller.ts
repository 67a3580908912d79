import { BadRequestException, Body, Controller, HttpCode, Post, UseGuards, UsePipes } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAdminAnswers } from '../openapi/api-answers.js';
import { InputValidationPipe } from '../validation/input-validation.pipe.js';
import { AdminGuard } from './admin.guard.js';
import { Admitted, AdmissionGuard, neverPriority } from './admission.guard.js';
import { PushAnswer } from './dto/answers.dto.js';
import { PushAllDto, PushRoomDto } from './dto/go-push.dto.js';
import { IdempotencyKey } from './idempotency-key.js';
import { pushAnswer } from './publish-answers.js';
import { PublishService } from './publish.service.js';
import { splitJsonArray } from './split-json-array.js';

/** go-push's publishing API: form-encoded items, delivered verbatim. */
@ApiTags('go-push')
@ApiBearerAuth()
@ApiConsumes('application/x-www-form-urlencoded', 'application/json')
@ApiAdminAnswers()
@Controller('push')
// go-push items carry no priority flag of ours.
@Admitted(neverPriority)
@UseGuards(AdminGuard, AdmissionGuard)
@UsePipes(InputValidationPipe)
export class GoPushController {
  constructor(private readonly publisher: PublishService) {}

  @Post('room')
  @ApiOperation({ summary: "go-push's push to a room: each item of `items` delivered as written, no seq" })
  @ApiBody({ type: PushRoomDto })
  @ApiOkResponse({ type: PushAnswer })
  @HttpCode(200)
  async pushRoom(@Body() form: PushRoomDto, @IdempotencyKey() key: string | undefined) {
    return pushAnswer(await this.publisher.pushVerbatimOnce(form.room, itemsOf(form), key));
  }

  @Post('all')
  @ApiOperation({ summary: "go-push's push to every connection" })
  @ApiBody({ type: PushAllDto })
  @ApiOkResponse({ type: PushAnswer })
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
