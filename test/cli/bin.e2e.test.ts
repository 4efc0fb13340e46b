import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

describe('trackstream as a bin', () => {
  it('given the repo installed, when `npx --no-install trackstream --help` runs from the root, then it prints the usage and exits 0', async () => {
    const { stdout } = await run('npx', ['--no-install', 'trackstream', '--help'], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toMatch(/^usage: trackstream <command>/);
    expect(stdout).toMatch(/replay .*\n.*verify/);
  }, 90_000);

  it('given `npm run trackstream -- replay --help`, then the command help comes through the same launcher', async () => {
    const { stdout } = await run('npm', ['run', '--silent', 'trackstream', '--', 'replay', '--help'], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toMatch(/usage: trackstream replay /);
  }, 90_000);

  it('given an unknown command, then exit status 2', async () => {
    await expect(run('npx', ['--no-install', 'trackstream', 'nonsense'], { cwd: ROOT, timeout: 60_000 })).rejects.toMatchObject({ code: 2 });
  }, 90_000);
});
