import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { Broker } from '../broker/broker.js';
import { RoomService } from './room.service.js';

/**
 * The broker follows exactly the rooms this process has members in: from a room's first
 * member, synchronously inside its JOIN (before that member reads the room's seq or
 * history), until its last member leaves.
 */
@Injectable()
export class RoomSubscriptions implements OnModuleInit, OnApplicationShutdown {
  private subscriptions: Subscription[] = [];

  constructor(
    private readonly rooms: RoomService,
    private readonly broker: Broker,
  ) {}

  onModuleInit(): void {
    this.subscriptions = [
      this.rooms.opened$.subscribe((room) => this.broker.follow(room)),
      this.rooms.closed$.subscribe((room) => this.broker.unfollow(room)),
    ];
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }
}
