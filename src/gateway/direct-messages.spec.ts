import { Test } from '@nestjs/testing';
import type { WebSocket } from 'ws';
import { DanmakuModule } from '../danmaku.module.js';
import { DirectMessages } from './direct-messages.js';

// What the gateway's frames take is asserted end to end, both ways, in
// test/gateway-rules.e2e-spec.ts and test/connection-limits.e2e-spec.ts; this says which way.
describe('DirectMessages', () => {
  const started = async (settings: Record<string, unknown>) => {
    const module = await Test.createTestingModule({ imports: [DanmakuModule.forRoot({ roomPage: false, settings })] }).compile();
    await module.init();
    return module;
  };
  // A socket with no connection: taken frames are dropped, as the rate guards drop them.
  const stranger = {} as WebSocket;

  it('takes PING, JOIN, LEAVE and COMMENT by default, and leaves the other events to the gateway', async () => {
    const module = await started({});
    const direct = module.get(DirectMessages);
    expect(direct.enabled).toBe(true);
    for (const event of ['PING', 'JOIN', 'LEAVE', 'COMMENT']) expect(direct.take(stranger, { event, data: {} })).toBe(true);
    for (const event of ['$BAD_FRAME', '$UNKNOWN_TYPE']) expect(direct.take(stranger, { event, data: {} })).toBe(false);
    await module.close();
  });

  it('takes nothing with DIRECT_PUBLISH=false', async () => {
    const module = await started({ DIRECT_PUBLISH: false });
    const direct = module.get(DirectMessages);
    expect(direct.enabled).toBe(false);
    expect(direct.take(stranger, { event: 'JOIN', data: { room: 'lobby' } })).toBe(false);
    await module.close();
  });
});
