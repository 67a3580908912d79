import { backoff, clusterNodes, redactUrl } from './redis-clients.js';

describe('Redis connection helpers', () => {
  it('reads cluster seed nodes from one URL with many hosts or from many URLs, with the first one\'s credentials', () => {
    expect(clusterNodes('redis://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
    });
    expect(clusterNodes('redis://:s%40cret@a:7000, redis://b, c:7002')).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 6379 },
        { host: 'c', port: 7002 },
      ],
      password: 's@cret',
    });
  });

  it('keeps TLS and the credentials of rediss:// seeds', () => {
    expect(clusterNodes('rediss://app:pw@a:7000,b:7001')).toEqual({
      nodes: [
        { host: 'a', port: 7000 },
        { host: 'b', port: 7001 },
      ],
      username: 'app',
      password: 'pw',
      tls: true,
    });
  });

  it('hides passwords in messages', () => {
    expect(redactUrl('redis://user:pw@host:6379/2')).toBe('redis://user:***@host:6379/2');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });

  it('backs off exponentially with jitter, never beyond 5 s', () => {
    for (let attempt = 0; attempt < 50; attempt++) {
      const delay = backoff(attempt);
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(Math.max(50, Math.min(5000, 100 * 2 ** attempt)));
    }
  });
});
