import { IsOptional, IsString } from 'class-validator';
import { IsRoomId } from './validators.js';

/** go-push's form for /push/all: `items` is a JSON array; older publishers send one `msg`. */
export class PushAllDto {
  @IsOptional()
  @IsString()
  items?: string;

  @IsOptional()
  @IsString()
  msg?: string;
}

/** go-push's form for /push/room. */
export class PushRoomDto extends PushAllDto {
  @IsRoomId()
  room: string;
}
