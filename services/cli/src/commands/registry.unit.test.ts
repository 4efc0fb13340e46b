import { runCli } from '../cli';
import { COMMANDS } from './registry';

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: { write: (s: string) => void err.push(s) } } };
};

describe('CLI command registry', () => {
  it.each(Object.keys(COMMANDS))('given %s --help, then its own help text is printed and nothing is connected', async (name) => {
    const c = capture();
    expect(await runCli([name, '--help'], {}, c.io)).toBe(0);
    expect(c.out).toEqual([COMMANDS[name]!.help]);
    expect(COMMANDS[name]!.help).toMatch(new RegExp(`^usage: trackstream ${name} `));
  });

  it('given an unknown or inherited name, then exit 2 with the usage', async () => {
    for (const name of ['nope', 'toString', '__proto__']) {
      const c = capture();
      expect(await runCli([name], {}, c.io)).toBe(2);
      expect(c.err.join('')).toMatch(/unknown command/);
    }
  });
});
