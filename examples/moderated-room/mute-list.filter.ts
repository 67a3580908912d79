import { Injectable } from '@nestjs/common';
import { accept, type CandidateComment, type CommentDecision, type CommentFilter, reject } from '../../src/index.js';
import { MuteList } from './mute-list.js';

/** Rejects comments from users muted in that room. Synchronous: one map lookup. */
@Injectable()
export class MuteListFilter implements CommentFilter {
  constructor(private readonly muteList: MuteList) {}

  review(comment: CandidateComment): CommentDecision {
    return this.muteList.isMuted(comment.room, comment.user) ? reject('you are muted in this room') : accept();
  }
}
