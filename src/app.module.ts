import { Module } from '@nestjs/common';
import { DanmakuConfigModule } from './config/config.module.js';
import { GatewayModule } from './gateway/gateway.module.js';
import { PageModule } from './page/page.module.js';
import { PublishModule } from './publish/publish.module.js';
import { MonitoringModule } from './stats/monitoring.module.js';

@Module({
  imports: [DanmakuConfigModule, GatewayModule, PublishModule, MonitoringModule, PageModule],
})
export class AppModule {}
