import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { IsRoomId } from './validators.js';

/** go-push's form for /push/all: `items` is a JSON array; older publishers send one `msg`. */
export class PushAllDto {
  @ApiPropertyOptional({ description: 'A JSON array; each element is delivered as written, byte for byte', example: '[{"text":"hi"}]' })
  @IsOptional()
  @IsString()
  items?: string;

  @ApiPropertyOptional({ description: 'One JSON value, for publishers older than `items` (used when `items` is absent)' })
  @IsOptional()
  @IsString()
  msg?: string;
}

/** go-push's form for /push/room. */
export class PushRoomDto extends PushAllDto {
  @ApiProperty({ description: '1 to 64 characters, no control characters', example: 'lobby' })
  @IsRoomId()
  room: string;
}
