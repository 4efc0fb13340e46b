import { createJsonLogger } from './index';

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
