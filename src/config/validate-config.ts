import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { CONFIG_KEYS, DanmakuConfig } from './danmaku-config.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the typed config from raw values (the environment), keeping defaults for what
 * is unset, and throws one error that names every bad variable with what it received.
 */
export function validateConfig(raw: Record<string, unknown>): DanmakuConfig {
  const known: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    if (raw[key] !== undefined) known[key] = raw[key];
  }
  const config = plainToInstance(DanmakuConfig, known);
  const errors = validateSync(config, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const reasons = Object.values(error.constraints ?? {}).join('; ');
      return `  ${error.property}=${JSON.stringify(raw[error.property])}: ${reasons}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}
