import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Subject } from 'rxjs';
import type { CandidateComment, CommentOrigin } from '../protocol/candidate-comment.js';

export interface ViewerRoomEvent {
  connectionId: number;
  user: string | undefined;
  room: string;
}

export interface CommentAcceptedEvent {
  room: string | null;
  id: string;
  seq: number;
  comment: CandidateComment;
  origin: CommentOrigin;
}

export interface CommentRejectedEvent {
  comment: CandidateComment;
  reason: string;
  origin: CommentOrigin;
}

export interface SlowConsumerEvent {
  connectionId: number;
  user: string | undefined;
}

/**
 * What an application can listen to. Events come from the control path (joins, leaves,
 * publishes, a slow consumer closed), never from the per-member fan-out loop, and a
 * Subject without subscribers costs a method call. Subscribers run synchronously: keep
 * them short or hand work off (observeOn, a queue).
 */
@Injectable()
export class DanmakuEvents implements OnApplicationShutdown {
  private readonly joined = new Subject<ViewerRoomEvent>();
  private readonly left = new Subject<ViewerRoomEvent>();
  private readonly accepted = new Subject<CommentAcceptedEvent>();
  private readonly rejected = new Subject<CommentRejectedEvent>();
  private readonly slow = new Subject<SlowConsumerEvent>();

  readonly viewerJoined$ = this.joined.asObservable();
  readonly viewerLeft$ = this.left.asObservable();
  readonly commentAccepted$ = this.accepted.asObservable();
  readonly commentRejected$ = this.rejected.asObservable();
  readonly slowConsumerClosed$ = this.slow.asObservable();

  emitJoined(event: ViewerRoomEvent): void {
    if (this.joined.observed) this.joined.next(event);
  }

  emitLeft(event: ViewerRoomEvent): void {
    if (this.left.observed) this.left.next(event);
  }

  /** Whether anyone listens to commentAccepted$: publishers skip building events otherwise. */
  get acceptedObserved(): boolean {
    return this.accepted.observed;
  }

  emitAccepted(event: CommentAcceptedEvent): void {
    if (this.accepted.observed) this.accepted.next(event);
  }

  emitRejected(event: CommentRejectedEvent): void {
    if (this.rejected.observed) this.rejected.next(event);
  }

  emitSlowConsumer(event: SlowConsumerEvent): void {
    if (this.slow.observed) this.slow.next(event);
  }

  onApplicationShutdown(): void {
    for (const subject of [this.joined, this.left, this.accepted, this.rejected, this.slow]) subject.complete();
  }
}
