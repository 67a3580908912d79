import type { DanmakuConfig } from './danmaku-config.js';

/**
 * The settings, with the same names, defaults and bounds as the environment variables
 * (one schema, two sources): values are validated by DanmakuConfig's rules at start-up.
 * A DanmakuConfig that validateConfig returned is taken as it is.
 */
export type DanmakuSettings = Partial<{ [K in keyof DanmakuConfig]: DanmakuConfig[K] | string }>;
