import { type DynamicModule, Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import type { DanmakuScope } from '../core/danmaku-scope.js';
import { DeliveryModule } from '../delivery/delivery.module.js';
import { UserConnections } from './user-connections.service.js';
import { UserPushService } from './user-push.service.js';

/** Pushes to one user: this process's index of users' connections, and delivery to them. */
@Module({
  providers: [UserConnections, UserPushService],
  exports: [UserConnections],
})
export class UserPushModule {
  static register(scope: DanmakuScope): DynamicModule {
    return scope.module(UserPushModule, () => ({
      imports: [scope.core, BrokerModule.register(scope), DeliveryModule.register(scope)],
    }));
  }
}
