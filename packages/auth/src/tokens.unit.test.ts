import { AuthError } from './errors';
import { bearerToken, generateToken, generateTokenId, hashToken, isTokenId, TOKEN_PATTERN } from './tokens';

describe('generateToken', () => {
  it("is 'tsk_' + 43 base64url chars and never repeats", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = generateToken();
      expect(t).toMatch(TOKEN_PATTERN);
      expect(Buffer.from(t.slice(4), 'base64url')).toHaveLength(32);
      seen.add(t);
    }
    expect(seen.size).toBe(200);
  });

  it('token ids are distinct from tokens and recognised', () => {
    const id = generateTokenId();
    expect(isTokenId(id)).toBe(true);
    expect(id).not.toMatch(TOKEN_PATTERN);
    expect(isTokenId(generateToken())).toBe(false);
  });
});

describe('hashToken', () => {
  it('is sha256 hex of the whole token, deterministic, and not the token', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const t = generateToken();
    expect(hashToken(t)).toBe(hashToken(t));
    expect(hashToken(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(t + 'x')).not.toBe(hashToken(t));
  });
});

describe('bearerToken', () => {
  const token = generateToken();

  it('absent or empty header → undefined', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('  ')).toBeUndefined();
  });

  it('parses Bearer <token>, scheme case-insensitive, surrounding spaces ignored', () => {
    expect(bearerToken(`Bearer ${token}`)).toBe(token);
    expect(bearerToken(`bearer ${token}`)).toBe(token);
    expect(bearerToken(`  BEARER   ${token}  `)).toBe(token);
  });

  it.each([
    ['Basic dXNlcjpwYXNz'],
    ['Bearer'],
    ['Bearer '],
    [`Bearer ${'t'.repeat(10)}`],
    [`Bearer ${token} extra`],
    [`Token ${token}`],
    [token],
    [`Bearer ${token.slice(0, -1)}`],
    [`Bearer ${token}!`],
  ])('garbled header %#: TOKEN_MALFORMED, message does not repeat it', (header) => {
    let err: unknown;
    try {
      bearerToken(header);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('TOKEN_MALFORMED');
    expect((err as AuthError).retriable).toBe(false);
    const secretPart = header.replace(/^\s*\S+\s*/, '');
    if (secretPart.length > 3) expect((err as AuthError).message).not.toContain(secretPart.slice(0, 8));
    expect((err as AuthError).message).not.toContain(token.slice(4, 12));
  });
});
