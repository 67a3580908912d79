import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
import { CommentDto } from './comment.dto.js';

export const MAX_BATCH_ITEMS = 1000;

export class CommentBatchDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_ITEMS)
  // ValidateNested alone would take an array inside the array and check its items instead.
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => CommentDto)
  items: CommentDto[];
}
