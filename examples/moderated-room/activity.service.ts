import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { DanmakuEvents } from '../../src/index.js';

/** Listens to the service's events, as an app would to feed analytics or moderation tools. */
@Injectable()
export class ActivityService implements OnModuleInit, OnModuleDestroy {
  readonly counts = { joined: 0, left: 0, accepted: 0, rejected: 0 };
  readonly lastRejection: { user?: string; reason?: string } = {};
  private subscriptions: Subscription[] = [];

  constructor(private readonly events: DanmakuEvents) {}

  onModuleInit(): void {
    this.subscriptions = [
      this.events.viewerJoined$.subscribe(() => this.counts.joined++),
      this.events.viewerLeft$.subscribe(() => this.counts.left++),
      this.events.commentAccepted$.subscribe(() => this.counts.accepted++),
      this.events.commentRejected$.subscribe(({ comment, reason }) => {
        this.counts.rejected++;
        Object.assign(this.lastRejection, { user: comment.user, reason });
      }),
    ];
  }

  onModuleDestroy(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
