import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
import { CommentDto } from './comment.dto.js';

export const MAX_BATCH_ITEMS = 1000;

export class CommentBatchDto {
  @ApiProperty({ type: [CommentDto], minItems: 1, maxItems: MAX_BATCH_ITEMS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  // ValidateNested alone would take an array inside the array and check its items instead.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CommentDto)
  items: CommentDto[];
}
