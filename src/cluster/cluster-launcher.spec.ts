import { availableParallelism } from 'node:os';
import { ConfigError, validateConfig } from '../config/validate-config.js';
import { runsServer, workerCount } from './cluster-launcher.js';

describe('WORKERS and the Redis settings', () => {
  it('default to one worker, no Redis, the danmaku: prefix and a 2 s timeout', () => {
    const config = validateConfig({});
    expect(config).toMatchObject({ WORKERS: 1, REDIS_CLUSTER: false, REDIS_PREFIX: 'danmaku:', REDIS_TIMEOUT_MS: 2000 });
    expect(config.REDIS_URL).toBeUndefined();
    expect(runsServer(config)).toBe(true);
  });

  it('reads WORKERS as a number or auto (one per core)', () => {
    expect(validateConfig({ WORKERS: ' 4 ' }).WORKERS).toBe(4);
    expect(workerCount(validateConfig({ WORKERS: 'auto' }))).toBe(availableParallelism());
  });

  it.each([
    ['WORKERS', '0'],
    ['WORKERS', 'many'],
    ['WORKERS', '257'],
    ['REDIS_PREFIX', 'a{b}'],
    ['REDIS_PREFIX', 'has space'],
    ['REDIS_TIMEOUT_MS', '50'],
    ['REDIS_CLUSTER', 'maybe'],
  ])('rejects %s=%s naming the variable', (name, value) => {
    expect(() => validateConfig({ [name]: value })).toThrow(new RegExp(`${name}="${value.replace(/[{}]/g, '\\$&')}"`));
  });

  it('refuses more than one worker without REDIS_URL; with it, this (primary) process only supervises', () => {
    expect(() => runsServer(validateConfig({ WORKERS: '2' }))).toThrow(ConfigError);
    expect(() => runsServer(validateConfig({ WORKERS: '2' }))).toThrow(/WORKERS=2 \(2 processes\) needs REDIS_URL/);
    expect(runsServer(validateConfig({ WORKERS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe(false);
    expect(runsServer(validateConfig({ WORKERS: '1', REDIS_URL: 'redis://127.0.0.1:6379' }))).toBe(true);
    expect(validateConfig({ REDIS_CLUSTER: 'true' }).REDIS_CLUSTER).toBe(true);
  });
});
