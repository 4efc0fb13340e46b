import { filterEnv, isSecretName, redactArgv, redactParams, REDACTED, scrubValue } from './secrets';

describe('secret filtering', () => {
  it.each([
    'AWS_SECRET_ACCESS_KEY', 'OPENAI_API_KEY', 'GITHUB_TOKEN', 'PGPASSWORD', 'DB_PASS', 'MYSQL_PWD', 'HF_TOKEN',
    'NPM_AUTHTOKEN', 'AZURE_CLIENT_CREDENTIALS', 'SSH_PRIVATE_KEY', 'dbPassword', 'aws.secretAccessKey', 'SENTRY_DSN',
    'Authorization', 'SESSION_COOKIE', 'api-key', 'WANDB_API_KEY', 'JWT', 'SIGNING_SALT', 'PGPASS', 'AUTH',
  ])('treats %s as a secret', (name) => expect(isSecretName(name)).toBe(true));

  it.each(['PATH', 'HOME', 'LANG', 'CUDA_VISIBLE_DEVICES', 'NODE_ENV', 'learning_rate', 'batch_size', 'KEYBOARD_LAYOUT', 'PASSES', 'epochs'])(
    'keeps %s',
    (name) => expect(isSecretName(name)).toBe(false),
  );

  it('drops secret-named env vars and scrubs credentials out of the rest', () => {
    const out = filterEnv({
      PATH: '/usr/bin',
      AWS_SECRET_ACCESS_KEY: 'abc',
      DATABASE_URL: 'postgres://admin:hunter2@db:5432/x',
      NOTE: 'token ghp_abcdefghijklmnopqrstuvwxyz0123456789 in a value',
      UNSET: undefined,
    });
    expect(out).toEqual({
      PATH: '/usr/bin',
      DATABASE_URL: `postgres://${REDACTED}@db:5432/x`,
      NOTE: `token ${REDACTED} in a value`,
    });
    expect(JSON.stringify(out)).not.toMatch(/hunter2|ghp_|abc"/);
  });

  it('redacts secret flags in argv, both --flag=value and --flag value', () => {
    expect(redactArgv(['train.js', '--lr=0.1', '--api-key=s3cr3t', '--password', 'hunter2', '--epochs', '3'])).toEqual([
      'train.js', '--lr=0.1', `--api-key=${REDACTED}`, '--password', REDACTED, '--epochs', '3',
    ]);
  });

  it('scrubs bearer tokens and well-known key shapes', () => {
    expect(scrubValue('Authorization: Bearer abc.def.ghijkl')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(scrubValue('key AKIAABCDEFGHIJKLMNOP')).toBe(`key ${REDACTED}`);
    expect(scrubValue('sk-proj_abcdefghijklmnopqrstu')).toBe(REDACTED);
  });

  it('redacts params keyed password, token, api_key, secret (and their variants); Trackstream tokens inside values too', () => {
    const tsk = 'tsk_' + 'a1B2-c3_D4'.repeat(4) + 'xyz';
    const out = redactParams({ password: 'p', token: 't', api_key: 'k', secret: 's', hf_token: 'h', dbPassword: 'd', apiKey: 'a', client_secret: 'c', lr: '0.1', note: `use ${tsk}` });
    expect(out).toEqual({
      password: REDACTED, token: REDACTED, api_key: REDACTED, secret: REDACTED, hf_token: REDACTED, dbPassword: REDACTED, apiKey: REDACTED, client_secret: REDACTED,
      lr: '0.1', note: `use ${REDACTED}`,
    });
  });

  it('redacts values of secret-looking params but keeps the key visible', () => {
    expect(redactParams({ lr: '0.01', api_key: 'xyz', optimizer: 'adam' })).toEqual({ lr: '0.01', api_key: REDACTED, optimizer: 'adam' });
  });
});
