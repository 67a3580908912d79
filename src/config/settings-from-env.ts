import type { ConfigService } from '@nestjs/config';
import type { DanmakuSettings } from './danmaku-settings.js';
import { CONFIG_KEYS } from './danmaku-config.js';

/** The settings ConfigService validated from the environment, for DanmakuModule.forRootAsync. */
export function settingsFromEnv(env: ConfigService): DanmakuSettings {
  const settings: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = env.get(key);
    if (value !== undefined) settings[key] = value;
  }
  return settings as DanmakuSettings;
}
