import { BAD_FRAME_EVENT, UNKNOWN_TYPE_EVENT } from '../protocol/envelope.js';
import { parseEnvelope } from './envelope-parser.js';

describe('parseEnvelope', () => {
  it('maps {type, data} to a handler event', () => {
    expect(parseEnvelope('{"type":"JOIN","data":{"room":"默认房间"}}')).toEqual({
      event: 'JOIN',
      data: { room: '默认房间' },
    });
  });

  it('treats a missing or non-object data as {}', () => {
    expect(parseEnvelope('{"type":"PING"}')).toEqual({ event: 'PING', data: {} });
    expect(parseEnvelope('{"type":"PING","data":[1]}')).toEqual({ event: 'PING', data: {} });
  });

  it.each([
    [Buffer.from('{"type":"PING"}'), 'binary'],
    ['nope', 'JSON'],
    ['[1,2]', 'type'],
    ['{"type":5}', 'type'],
    ['null', 'type'],
  ])('turns %j into a bad frame (%s)', (raw, reason) => {
    const parsed = parseEnvelope(raw);
    expect(parsed.event).toBe(BAD_FRAME_EVENT);
    expect(String(parsed.data.reason)).toContain(reason);
  });

  it('turns an unknown or internal type into UNKNOWN_TYPE', () => {
    expect(parseEnvelope('{"type":"DANCE"}')).toEqual({ event: UNKNOWN_TYPE_EVENT, data: { type: 'DANCE' } });
    expect(parseEnvelope(`{"type":"${BAD_FRAME_EVENT}"}`).event).toBe(UNKNOWN_TYPE_EVENT);
  });
});
