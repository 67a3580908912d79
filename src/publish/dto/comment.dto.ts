import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { COLOR_PATTERN, COMMENT_MODES, type CommentMode } from '../../protocol/comment.js';
import { IsCommentText, IsWellFormed } from './validators.js';

/** A comment as admins publish it over REST (and the shape of each batch item). */
export class CommentDto {
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
  @Length(1, 64)
  @IsWellFormed()
  user?: string;

  @IsOptional()
  @IsBoolean()
  priority?: boolean;
}
