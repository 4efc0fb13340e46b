import { createJsonLogger, redactUrl } from './index';

describe('createJsonLogger', () => {
  const capture = (level: 'debug' | 'info' | 'warn' | 'error' = 'info') => {
    const lines: Record<string, unknown>[] = [];
    const logger = createJsonLogger({ level, write: (l) => lines.push(JSON.parse(l)), now: () => new Date(0) });
    return { lines, logger };
  };

  it('given a child logger, when it logs, then base and call fields are both on the line', () => {
    const { lines, logger } = capture();
    logger.child({ component: 'gateway' }).info('started', { port: 8080 });
    expect(lines).toEqual([{ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'started', component: 'gateway', port: 8080 }]);
  });

  it('given level warn, when info is logged, then nothing is written', () => {
    const { lines, logger } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });

  it('given secret-looking fields, when logged, then their values are redacted', () => {
    const { lines, logger } = capture();
    logger.info('auth', { authorization: 'Bearer abc', password: 'hunter2', db_password: 'x', apiKey: 'k', user: 'ada' });
    expect(JSON.stringify(lines)).not.toMatch(/abc|hunter2|"k"/);
    expect(lines[0]?.user).toBe('ada');
  });

  it('given an error field, when logged, then its message is kept', () => {
    const { lines, logger } = capture();
    logger.error('failed', { err: new Error('boom') });
    expect(lines[0]?.err).toMatchObject({ name: 'Error', message: 'boom' });
  });
});

describe('createJsonLogger redaction (issue 9)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, logger: createJsonLogger({ write: (l) => lines.push(l), now: () => new Date(0) }) };
  };
  const TOKEN = 'tsk_' + 'Ab3-_x'.repeat(7) + 'Q';

  it('given secret fields nested at any depth, when logged, then their values are redacted', () => {
    const { lines, logger } = capture();
    logger.warn('denied', { req: { headers: { authorization: `Bearer ${TOKEN}`, 'x-other': 'ok' } }, cfg: { pgPassword: 'hunter2', token: TOKEN } });
    expect(lines.join('\n')).not.toMatch(/hunter2|tsk_/);
    expect(JSON.parse(lines[0]!).req.headers['x-other']).toBe('ok');
  });

  it('given a token id, when logged, then it is kept (it is the public name of a token)', () => {
    const { lines, logger } = capture();
    logger.warn('denied', { tokenId: 'tk_abc', token_id: 'tk_def', principal: 'ada@lab' });
    expect(JSON.parse(lines[0]!)).toMatchObject({ tokenId: 'tk_abc', token_id: 'tk_def', principal: 'ada@lab' });
  });

  it('given URLs with passwords, bearer headers or API tokens inside strings, when logged, then they are scrubbed', () => {
    const { lines, logger } = capture();
    logger.error(`connect postgres://ts:s3cr%40t@db:5432/x failed`, {
      url: 'postgresql://admin:p@ss@db.internal:5432/trackstream?sslmode=require',
      ch: 'http://127.0.0.1:8123/trackstream',
      note: `header was Bearer ${TOKEN}; raw ${TOKEN}`,
      err: new Error(`bad url postgres://u:hunter2@h/db`),
    });
    const text = lines.join('\n');
    expect(text).not.toMatch(/s3cr|hunter2|p@ss|ss@db|tsk_/);
    const line = JSON.parse(lines[0]!);
    expect(line.url).toBe('postgresql://admin:[redacted]@db.internal:5432/trackstream?sslmode=require');
    expect(line.ch).toBe('http://127.0.0.1:8123/trackstream');
    expect(line.msg).toBe('connect postgres://ts:[redacted]@db:5432/x failed');
  });
});

describe('redactUrl', () => {
  it('removes only the password of a URL', () => {
    expect(redactUrl('postgres://trackstream:trackstream@127.0.0.1:5432/trackstream')).toBe('postgres://trackstream:[redacted]@127.0.0.1:5432/trackstream');
    expect(redactUrl('postgres://127.0.0.1:5432/trackstream')).toBe('postgres://127.0.0.1:5432/trackstream');
    expect(redactUrl('http://u@host:1/x')).toBe('http://u@host:1/x');
  });
});
