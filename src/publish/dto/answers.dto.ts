import { ApiProperty } from '@nestjs/swagger';

/** The answers of the publishing routes, as the OpenAPI document describes them. */
export class PublishedAnswer {
  @ApiProperty({ description: "The comment's id: unique, and opaque (no format to rely on)" })
  id: string;

  @ApiProperty({ description: "The comment's seq in its room" })
  seq: number;
}

export class BatchPublishedAnswer {
  @ApiProperty({ minimum: 1, maximum: 1000 })
  accepted: number;

  @ApiProperty()
  firstSeq: number;

  @ApiProperty()
  lastSeq: number;
}

export class BroadcastAnswer {
  @ApiProperty({ description: "The comment's id: unique, and opaque (no format to rely on)" })
  id: string;
}

export class RoomAnswer {
  @ApiProperty()
  room: string;

  @ApiProperty({ description: 'Viewers in the room, over every process sharing the broker' })
  online: number;

  @ApiProperty({ description: 'The last seq published in the room (0: none)' })
  seq: number;
}

export class PushAnswer {
  @ApiProperty({ description: 'Items delivered' })
  accepted: number;
}
