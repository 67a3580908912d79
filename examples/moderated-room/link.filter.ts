import { Injectable } from '@nestjs/common';
import { accept, type CandidateComment, type CommentDecision, type CommentFilter, rewrite } from '../../src/index.js';

const LINK = /\bhttps?:\/\/\S+/gi;

/** Rewrites links into "[link]": viewers see that one was posted, nobody gets a clickable URL. */
@Injectable()
export class LinkFilter implements CommentFilter {
  review(comment: CandidateComment): CommentDecision {
    LINK.lastIndex = 0;
    if (!LINK.test(comment.text)) return accept();
    return rewrite({ ...comment, text: comment.text.replace(LINK, '[link]') });
  }
}
