import { RedisKeys, escapeRoom } from './redis-keys.js';

describe('RedisKeys', () => {
  it('gives every key of a room the same hash tag, and escapes what would bend it', () => {
    const keys = new RedisKeys('p:');
    expect(keys.seq('a}b')).toBe('p:{a%7Db}:seq');
    expect(keys.channel('{x')).toBe('p:{%7Bx}:ch');
    expect(escapeRoom('%*all')).toBe('%25%2Aall');
    expect(keys.channel('*all')).not.toBe(keys.broadcastChannel);
    for (const room of ['lobby', '默认房间', '}{', '%7D']) {
      const tags = [keys.seq(room), keys.history(room), keys.epoch(room), keys.channel(room), keys.presence(room), keys.presenceDeadlines(room)].map(
        (key) => /\{([^}]*)\}/.exec(key)![1],
      );
      expect(new Set(tags).size).toBe(1);
      expect(tags[0]).not.toBe('');
    }
    expect(keys.seq('}{')).not.toBe(keys.seq('%7D%7B'));
  });

  it('gives each user a channel with a tag of its own, which no room or the broadcasts can have', () => {
    const keys = new RedisKeys('p:');
    expect(keys.userChannel('alice')).toBe('p:{*user:alice}:ch');
    expect(keys.userChannel('{a}*')).toBe('p:{*user:%7Ba%7D%2A}:ch');
    expect(keys.channel('*user:alice')).not.toBe(keys.userChannel('alice'));
    expect(keys.userChannel('all')).not.toBe(keys.broadcastChannel);
  });
});
