import { parseInline, parseMarkdown, safeHref } from './markdown';

describe('note markdown', () => {
  it('keeps HTML as text: nothing in the tree is markup', () => {
    const blocks = parseMarkdown('<script>alert(1)</script>\n\n<img src=x onerror=alert(2)> **bold**');
    expect(blocks).toEqual([
      { t: 'p', c: [{ t: 'text', v: '<script>alert(1)</script>' }] },
      { t: 'p', c: [{ t: 'text', v: '<img src=x onerror=alert(2)> ' }, { t: 'strong', c: [{ t: 'text', v: 'bold' }] }] },
    ]);
  });

  it('links only to http(s), mailto and in-app targets', () => {
    expect(parseInline('[a](https://x.org/p) [b](javascript:alert(1)) [c](#/r/1)')).toEqual([
      { t: 'link', href: 'https://x.org/p', c: [{ t: 'text', v: 'a' }] },
      { t: 'text', v: ' [b](javascript:alert(1)) ' },
      { t: 'link', href: '#/r/1', c: [{ t: 'text', v: 'c' }] },
    ]);
    expect(safeHref(' data:text/html,x')).toBeNull();
    expect(safeHref('JAVASCRIPT:x')).toBeNull();
  });

  it('parses headings, lists, quotes, fenced code and inline code/emphasis', () => {
    expect(parseMarkdown('# Why\n*lr* too high, see `step 40`\n- one\n- _two_\n1. first\n> quoted\n```\n<b>x</b>\n```')).toEqual([
      { t: 'h', level: 1, c: [{ t: 'text', v: 'Why' }] },
      { t: 'p', c: [{ t: 'em', c: [{ t: 'text', v: 'lr' }] }, { t: 'text', v: ' too high, see ' }, { t: 'code', v: 'step 40' }] },
      { t: 'ul', items: [[{ t: 'text', v: 'one' }], [{ t: 'em', c: [{ t: 'text', v: 'two' }] }]] },
      { t: 'ol', items: [[{ t: 'text', v: 'first' }]] },
      { t: 'quote', c: [{ t: 'text', v: 'quoted' }] },
      { t: 'pre', v: '<b>x</b>' },
    ]);
  });

  it('joins a paragraph’s lines and leaves unmatched markers as text', () => {
    expect(parseInline('window.__x=1 and my_lr_value, _yes_')).toEqual([{ t: 'text', v: 'window.__x=1 and my_lr_value, ' }, { t: 'em', c: [{ t: 'text', v: 'yes' }] }]);
    expect(parseMarkdown('a\nb\n\nc * d')).toEqual([
      { t: 'p', c: [{ t: 'text', v: 'a b' }] },
      { t: 'p', c: [{ t: 'text', v: 'c * d' }] },
    ]);
  });
});
