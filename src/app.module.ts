import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { settingsFromEnv } from './config/settings-from-env.js';
import { validateConfig } from './config/validate-config.js';
import { DanmakuModule } from './danmaku.module.js';

/**
 * The standalone server: DanmakuModule configured from the environment, which
 * @nestjs/config validates at start-up (a bad value names the variable and stops it).
 */
@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateConfig }),
    DanmakuModule.forRootAsync({ inject: [ConfigService], useFactory: settingsFromEnv }),
  ],
})
export class AppModule {}
