import { UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { validateConfig } from '../config/validate-config.js';
import { AdminGuard } from './admin.guard.js';

function context(remoteAddress: string, authorization?: string, extra: Record<string, string> = {}): ExecutionContext {
  const request = { socket: { remoteAddress }, headers: { ...(authorization ? { authorization } : {}), ...extra } };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('AdminGuard', () => {
  describe('without ADMIN_TOKEN', () => {
    const guard = new AdminGuard(validateConfig({}));

    it.each(['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1'])('accepts loopback %s', (address) => {
      expect(guard.canActivate(context(address))).toBe(true);
    });

    it.each(['10.0.0.7', '192.168.1.2', '::ffff:10.1.1.1', '2001:db8::1', '128.0.0.1'])('refuses %s with 401', (address) => {
      expect(() => guard.canActivate(context(address))).toThrow(UnauthorizedException);
    });

    it.each(['forwarded', 'x-forwarded-for', 'x-real-ip', 'via'])('refuses loopback when a proxy added %s', (header) => {
      expect(() => guard.canActivate(context('127.0.0.1', undefined, { [header]: '203.0.113.9' }))).toThrow(UnauthorizedException);
    });
  });

  describe('with ADMIN_TOKEN', () => {
    const guard = new AdminGuard(validateConfig({ ADMIN_TOKEN: 'tok' }));

    it('accepts the bearer token from anywhere', () => {
      expect(guard.canActivate(context('203.0.113.9', 'Bearer tok'))).toBe(true);
    });

    it.each([undefined, 'Bearer', 'Bearer tok2', 'Bearer to', 'Basic tok', 'tok'])('refuses %j even from loopback', (header) => {
      expect(() => guard.canActivate(context('127.0.0.1', header))).toThrow(UnauthorizedException);
    });
  });
});
