import { Global, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { CONFIG_KEYS, DanmakuConfig } from './danmaku-config.js';
import { validateConfig } from './validate-config.js';

/**
 * Validates the environment once at start-up (a bad value rejects the app's creation,
 * naming the variable) and provides the result as the typed DanmakuConfig.
 */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ ignoreEnvFile: true, validate: validateConfig })],
  providers: [
    {
      provide: DanmakuConfig,
      inject: [ConfigService],
      useFactory: (env: ConfigService): DanmakuConfig => {
        const config = new DanmakuConfig();
        for (const key of CONFIG_KEYS) {
          const value = env.get(key);
          if (value !== undefined) Object.assign(config, { [key]: value });
        }
        return config;
      },
    },
  ],
  exports: [DanmakuConfig],
})
export class DanmakuConfigModule {}
