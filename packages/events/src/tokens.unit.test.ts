import { decodePositionsToken, encodePositionsToken, TokenDecodeError } from './index';

describe('positions token', () => {
  test('given log positions, when encoded and decoded, then they come back equal and the token is base64url', () => {
    const positions = { topic: 'trackstream.events.v1', positions: { 0: '17', 11: '9223372036854775806' } };
    const token = encodePositionsToken(positions);
    expect(token).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(decodePositionsToken(token)).toEqual(positions);
  });

  test.each(['', 'garbage', 'p1.!!!', 'p1.' + Buffer.from('[1]').toString('base64url'), 'p1.' + Buffer.from('{"t":"x","p":{"0":"-1"}}').toString('base64url'),
    'p1.' + Buffer.from('{"t":"x","p":{"a":"1"}}').toString('base64url'), 'p1.' + Buffer.from('{"t":"x","p":{"0":1}}').toString('base64url')])(
    'given the garbage token %j, when decoded, then TOKEN_INVALID is thrown',
    (token) => {
      expect(() => decodePositionsToken(token)).toThrow(TokenDecodeError);
      expect(() => decodePositionsToken(token)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID', retriable: false }));
    },
  );

  test('given an offset that is not a non-negative decimal, when encoded, then it is refused', () => {
    expect(() => encodePositionsToken({ topic: 't', positions: { 0: '-1' } })).toThrow(RangeError);
    expect(() => encodePositionsToken({ topic: 't', positions: { 0: '1e3' } })).toThrow(RangeError);
  });
});
