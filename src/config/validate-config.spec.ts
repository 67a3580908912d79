import { DanmakuConfig } from './danmaku-config.js';
import { ConfigError, validateConfig } from './validate-config.js';

describe('validateConfig', () => {
  it('keeps the documented defaults when nothing is set', () => {
    const config = validateConfig({});
    expect(config).toBeInstanceOf(DanmakuConfig);
    expect(config).toMatchObject({
      PORT: 7777,
      HOST: '0.0.0.0',
      BATCH_WINDOW_MS: 200,
      BATCH_MAX_ITEMS: 100,
      SHARDS: 16,
      LISTEN_BACKLOG: 4096,
      MAX_ROOMS_PER_CONN: 5,
      MAX_PAYLOAD: 4096,
      HEARTBEAT_TIMEOUT_MS: 60000,
      COMMENT_RATE: 2,
      COMMENT_BURST: 5,
      SLOW_CONSUMER_BYTES: 1048576,
      SLOW_CONSUMER_MS: 5000,
      ONLINE_INTERVAL_MS: 5000,
      HISTORY_SIZE: 1000,
      MAX_ROOMS_KEPT: 10000,
      IDEMPOTENCY_TTL_S: 300,
      COMPRESSION: 'deflate',
      COMPRESSION_LEVEL: 6,
      OVERLOAD_DELAY_MS: 100,
      OVERLOAD_PRIORITY_DELAY_MS: 1000,
    });
    expect(config.ADMIN_TOKEN).toBeUndefined();
  });

  it('turns numeric strings into numbers and ignores unrelated variables', () => {
    const config = validateConfig({ PORT: '8080', SHARDS: '64', PATH: '/usr/bin', ADMIN_TOKEN: 's3cret' });
    expect(config.PORT).toBe(8080);
    expect(config.SHARDS).toBe(64);
    expect(config.ADMIN_TOKEN).toBe('s3cret');
    expect(config).not.toHaveProperty('PATH');
  });

  it.each([
    ['SHARDS', '12', 'power of two'],
    ['SHARDS', '2048', 'SHARDS'],
    ['LISTEN_BACKLOG', '0', 'LISTEN_BACKLOG'],
    ['BATCH_WINDOW_MS', '10001', 'BATCH_WINDOW_MS'],
    ['BATCH_WINDOW_MS', 'soon', 'integer'],
    ['BATCH_MAX_ITEMS', '0', 'BATCH_MAX_ITEMS'],
    ['HEARTBEAT_TIMEOUT_MS', '999', 'HEARTBEAT_TIMEOUT_MS'],
    ['SLOW_CONSUMER_BYTES', '1023', 'SLOW_CONSUMER_BYTES'],
    ['COMMENT_RATE', '0', 'COMMENT_RATE'],
    ['ONLINE_INTERVAL_MS', '99', 'ONLINE_INTERVAL_MS'],
    ['PORT', '-1', 'PORT'],
    ['ALLOWED_ORIGINS', 'example.com', 'origins'],
    ['ALLOWED_ORIGINS', 'https://example.com/', 'origins'],
    ['ALLOWED_ORIGINS', 'https://example.com,https://x.example/path', 'origins'],
    ['COMPRESSION', 'gzip', 'COMPRESSION'],
    ['COMPRESSION_LEVEL', '0', 'COMPRESSION_LEVEL'],
    ['COMPRESSION_LEVEL', '10', 'COMPRESSION_LEVEL'],
    ['MAX_ROOMS_KEPT', '0', 'MAX_ROOMS_KEPT'],
    ['MAX_ROOMS_KEPT', 'many', 'integer'],
    ['IDEMPOTENCY_TTL_S', '0', 'IDEMPOTENCY_TTL_S'],
    ['IDEMPOTENCY_TTL_S', '86401', 'IDEMPOTENCY_TTL_S'],
    ['OVERLOAD_DELAY_MS', '-1', 'OVERLOAD_DELAY_MS'],
    ['OVERLOAD_DELAY_MS', '60001', 'OVERLOAD_DELAY_MS'],
    ['OVERLOAD_PRIORITY_DELAY_MS', '0', 'OVERLOAD_PRIORITY_DELAY_MS'],
    ['OVERLOAD_PRIORITY_DELAY_MS', '50', 'at least OVERLOAD_DELAY_MS'],
  ])('rejects %s=%s naming the variable', (name, value, expected) => {
    expect(() => validateConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => validateConfig({ [name]: value })).toThrow(new RegExp(`${name}="${value}"[^\\n]*${expected}`));
  });

  it('takes a priority overload threshold at least the ordinary one, any with overload control off', () => {
    expect(validateConfig({ OVERLOAD_DELAY_MS: '50', OVERLOAD_PRIORITY_DELAY_MS: '50' }).OVERLOAD_PRIORITY_DELAY_MS).toBe(50);
    expect(validateConfig({ OVERLOAD_DELAY_MS: '0', OVERLOAD_PRIORITY_DELAY_MS: '10' }).OVERLOAD_DELAY_MS).toBe(0);
    expect(() => validateConfig({ OVERLOAD_DELAY_MS: '500', OVERLOAD_PRIORITY_DELAY_MS: '499' })).toThrow(/OVERLOAD_PRIORITY_DELAY_MS="499"/);
  });

  it('lists every bad variable in one error', () => {
    expect(() => validateConfig({ SHARDS: '3', PORT: 'x' })).toThrow(/PORT="x"[\s\S]*SHARDS="3"|SHARDS="3"[\s\S]*PORT="x"/);
  });

  it('treats an empty optional secret as unset', () => {
    expect(validateConfig({ ADMIN_TOKEN: '' }).ADMIN_TOKEN).toBeUndefined();
  });

  it('reads ALLOWED_ORIGINS as a comma list, and an empty one as unset', () => {
    expect(validateConfig({ ALLOWED_ORIGINS: ' https://a.example , http://localhost:3000,' }).ALLOWED_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:3000',
    ]);
    expect(validateConfig({ ALLOWED_ORIGINS: '' }).ALLOWED_ORIGINS).toBeUndefined();
    expect(validateConfig({}).ALLOWED_ORIGINS).toBeUndefined();
  });
});
