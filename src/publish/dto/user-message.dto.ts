import { OmitType } from '@nestjs/swagger';
import { CommentDto } from './comment.dto.js';

/**
 * A message for one user's connections (POST /users/:user/messages): a comment's fields
 * and rules, less `user` (the path names the user it goes to). `priority` is accepted like
 * a comment's; a one-user push is never batched nor thinned, so it changes nothing.
 */
export class UserMessageDto extends OmitType(CommentDto, ['user'] as const) {}
