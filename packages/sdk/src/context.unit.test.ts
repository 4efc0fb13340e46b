import * as path from 'node:path';
import { captureRunContext } from './context';

describe('run context', () => {
  const repoRoot = path.resolve(__dirname, '../../..');

  it('captures git, argv, node, dependencies and env, without secrets', async () => {
    const ctx = await captureRunContext({
      cwd: repoRoot,
      argv: ['/usr/bin/node', path.join(repoRoot, 'packages/sdk/src/context.ts'), '--lr=0.1', '--api-key=s3cr3t', '--token', 'tok123'],
      env: {
        PATH: '/usr/bin',
        CUDA_VISIBLE_DEVICES: '0',
        AWS_SECRET_ACCESS_KEY: 'aws-secret-value',
        GITHUB_TOKEN: 'gh-token-value',
        PGPASSWORD: 'pg-password-value',
        MY_CREDENTIALS: 'cred-value',
        DATABASE_URL: 'postgres://u:db-url-password@h/db',
      },
      git: true,
    });
    expect(ctx.source.git_commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof ctx.source.git_dirty).toBe('boolean');
    expect(ctx.source.entry_point).toBe(path.join('packages', 'sdk', 'src', 'context.ts'));
    expect(ctx.source.host).toBeTruthy();
    expect(ctx.context.node_version).toBe(process.version);
    expect(JSON.parse(ctx.context.argv!)).toEqual([path.join(repoRoot, 'packages/sdk/src/context.ts'), '--lr=0.1', '--api-key=[REDACTED]', '--token', '[REDACTED]']);
    expect(ctx.context['env.PATH']).toBe('/usr/bin');
    expect(ctx.context['env.CUDA_VISIBLE_DEVICES']).toBe('0');
    // The nearest package.json of the entry point is the SDK's: its dependencies with installed versions.
    expect(ctx.context['dep.zod']).toMatch(/^\d+\.\d+\.\d+/);
    const all = JSON.stringify(ctx);
    for (const secret of ['aws-secret-value', 'gh-token-value', 'pg-password-value', 'cred-value', 'db-url-password', 's3cr3t', 'tok123']) {
      expect(all).not.toContain(secret);
    }
    expect(Object.keys(ctx.context).filter((k) => /SECRET|TOKEN|PASSWORD|CREDENTIAL/.test(k))).toEqual([]);
  });

  it('returns nulls outside a git checkout instead of failing', async () => {
    const ctx = await captureRunContext({ cwd: '/', argv: ['node'], git: true });
    expect(ctx.source).toMatchObject({ git_commit: null, git_branch: null, git_dirty: null, entry_point: null });
  });
});
