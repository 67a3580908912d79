import { IsBoolean, IsIn, IsOptional, Matches } from 'class-validator';
import { COLOR_PATTERN, COMMENT_MODES, type CommentMode } from '../../protocol/comment.js';
import { IsCommentText } from './validators.js';

/**
 * A message for one user's connections (POST /users/:user/messages): a comment's fields
 * with the same rules as CommentDto, less `user` (the path names the user it goes to).
 */
export class UserMessageDto {
  @IsCommentText()
  text: string;

  @IsOptional()
  @Matches(COLOR_PATTERN, { message: 'color must be #rrggbb' })
  color?: string;

  @IsOptional()
  @IsIn(COMMENT_MODES)
  mode?: CommentMode;

  /** Accepted like a comment's; a one-user push is never batched nor thinned, so it changes nothing. */
  @IsOptional()
  @IsBoolean()
  priority?: boolean;
}
