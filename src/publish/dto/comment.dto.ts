import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { COLOR_PATTERN, COMMENT_MODES, type CommentMode, DEFAULT_COLOR, DEFAULT_MODE, MAX_TEXT_CHARS } from '../../protocol/comment.js';
import { IsCommentText, IsWellFormed } from './validators.js';

/** A comment as admins publish it over REST (and the shape of each batch item). */
export class CommentDto {
  @ApiProperty({ description: `1 to ${MAX_TEXT_CHARS} characters (Unicode code points), well-formed`, minLength: 1, example: '好！' })
  @IsCommentText()
  text: string;

  @ApiPropertyOptional({ pattern: COLOR_PATTERN.source, default: DEFAULT_COLOR, example: '#ff0000' })
  @IsOptional()
  @Matches(COLOR_PATTERN, { message: 'color must be #rrggbb' })
  color?: string;

  @ApiPropertyOptional({ enum: COMMENT_MODES, default: DEFAULT_MODE })
  @IsOptional()
  @IsIn(COMMENT_MODES)
  mode?: CommentMode;

  @ApiPropertyOptional({ description: 'Who wrote it: 1 to 64 characters, well-formed', minLength: 1, maxLength: 64 })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @IsWellFormed()
  user?: string;

  @ApiPropertyOptional({ description: 'Priority items are never thinned out of a batch', default: false })
  @IsOptional()
  @IsBoolean()
  priority?: boolean;
}
