import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { Broker, type UserDelivery } from '../broker/broker.js';
import { FanOutService } from '../delivery/fan-out.service.js';
import { OutboundFrames } from '../delivery/outbound-frames.js';
import { UserConnections } from './user-connections.service.js';

/**
 * Hands each item the broker receives for a user to that user's connections here, as
 * `PUSH {"room": null, "to": USER, "items": [ITEM]}`: encoded and framed once per push
 * (and deflated once per deflate window in use), written through the fan-out like any
 * batch, under the same slow-consumer bound. Not batched: it goes out as it arrives.
 */
@Injectable()
export class UserPushService implements OnModuleInit, OnApplicationShutdown {
  private subscription: Subscription | undefined;

  constructor(
    private readonly broker: Broker,
    private readonly users: UserConnections,
    private readonly fanOut: FanOutService,
  ) {}

  onModuleInit(): void {
    this.subscription = this.broker.userDeliveries$.subscribe((delivery) => this.deliver(delivery));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  private deliver({ user, json }: UserDelivery): void {
    const connections = this.users.of(user);
    if (connections === undefined) return;
    this.fanOut.writeEach(connections, OutboundFrames.of(encodeUserPush(user, json)));
  }
}

export function encodeUserPush(user: string, itemJson: string): string {
  return `{"type":"PUSH","data":{"room":null,"to":${JSON.stringify(user)},"items":[${itemJson}]}}`;
}
