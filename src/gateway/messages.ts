import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { COLOR_PATTERN, COMMENT_MODES, type CommentMode } from '../protocol/comment.js';
import { IsCommentText, IsRoomId } from '../publish/dto/validators.js';

export class RoomMessage {
  @IsRoomId()
  room: string;
}

export class JoinMessage extends RoomMessage {
  @IsOptional()
  @IsInt()
  @Min(0)
  since?: number;

  /** The epoch `since` belongs to (from JOINED); another one than the room's makes the replay report a gap. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  epoch?: string;
}

export class CommentMessage extends RoomMessage {
  @IsCommentText()
  text: string;

  @IsOptional()
  @Matches(COLOR_PATTERN, { message: 'color must be #rrggbb' })
  color?: string;

  @IsOptional()
  @IsIn(COMMENT_MODES)
  mode?: CommentMode;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  cid?: string;
}
