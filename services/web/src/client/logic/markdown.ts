/**
 * A small markdown subset for notes, parsed into a tree (never into HTML): the page renders the tree as elements
 * whose text Preact escapes, so a note's `<script>` or `<img onerror>` is shown as the characters typed. Links keep
 * only http(s), mailto and in-app `#` targets; anything else (javascript:, data:) stays text.
 * Blocks: `#`–`######` headings, `-`/`*` and `1.` lists, `>` quotes, fenced ``` code, paragraphs.
 * Inline: `code`, **strong**, *em* / _em_, [text](url).
 */
export type Inline =
  | { t: 'text'; v: string }
  | { t: 'code'; v: string }
  | { t: 'strong'; c: Inline[] }
  | { t: 'em'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] };

export type Block =
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'p'; c: Inline[] }
  | { t: 'quote'; c: Inline[] }
  | { t: 'ul' | 'ol'; items: Inline[][] }
  | { t: 'pre'; v: string };

const SAFE_URL = /^(https?:\/\/|mailto:|#)/i;

export function safeHref(url: string): string | null {
  const u = url.trim();
  return SAFE_URL.test(u) ? u : null;
}

/** `_em_` only between word boundaries, so snake_case and __dunder__ names stay as typed. */
function underscoreEm(s: string, i: number): RegExpExecArray | null {
  if (i > 0 && /\w/.test(s[i - 1]!)) return null;
  return /^_([^_\s](?:[^_]*[^_\s])?)_(?!\w)/.exec(s.slice(i));
}

export function parseInline(s: string): Inline[] {
  const out: Inline[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') out.push({ t: 'text', v: text });
    text = '';
  };
  let i = 0;
  while (i < s.length) {
    const rest = s.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^`([^`]+)`/.exec(rest))) {
      flush();
      out.push({ t: 'code', v: m[1]! });
    } else if ((m = /^\*\*(.+?)\*\*/.exec(rest))) {
      flush();
      out.push({ t: 'strong', c: parseInline(m[1]!) });
    } else if ((m = /^\*([^*\s](?:[^*]*[^*\s])?)\*/.exec(rest)) || (m = underscoreEm(s, i))) {
      flush();
      out.push({ t: 'em', c: parseInline(m[1]!) });
    } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest)) && safeHref(m[2]!) !== null) {
      flush();
      out.push({ t: 'link', href: safeHref(m[2]!)!, c: parseInline(m[1]!) });
    } else {
      text += s[i];
      i += 1;
      continue;
    }
    i += m[0].length;
  }
  flush();
  return out;
}

export function parseMarkdown(src: string): Block[] {
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length > 0) blocks.push({ t: 'p', c: parseInline(para.join(' ')) });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    let m: RegExpExecArray | null;
    if (/^```/.test(line)) {
      endPara();
      const code: string[] = [];
      for (i += 1; i < lines.length && !/^```/.test(lines[i]!); i++) code.push(lines[i]!);
      blocks.push({ t: 'pre', v: code.join('\n') });
    } else if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
      endPara();
      blocks.push({ t: 'h', level: m[1]!.length, c: parseInline(m[2]!.trim()) });
    } else if ((m = /^\s*([-*]|\d+\.)\s+(.*)$/.exec(line))) {
      endPara();
      const t = /\d/.test(m[1]!) ? 'ol' : 'ul';
      const last = blocks[blocks.length - 1];
      const item = parseInline(m[2]!);
      if (last !== undefined && last.t === t) last.items.push(item);
      else blocks.push({ t, items: [item] });
    } else if ((m = /^>\s?(.*)$/.exec(line))) {
      endPara();
      blocks.push({ t: 'quote', c: parseInline(m[1]!) });
    } else if (line.trim() === '') {
      endPara();
    } else {
      para.push(line.trim());
    }
  }
  endPara();
  return blocks;
}
