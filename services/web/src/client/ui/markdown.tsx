import type { ComponentChildren } from 'preact';
import { parseMarkdown, type Inline } from '../logic/markdown';

// Renders the parsed tree as elements: every piece of user text is a text child (escaped by Preact), never HTML.
function inline(parts: Inline[]): ComponentChildren {
  return parts.map((p, i) => {
    switch (p.t) {
      case 'text':
        return p.v;
      case 'code':
        return <code key={i}>{p.v}</code>;
      case 'strong':
        return <strong key={i}>{inline(p.c)}</strong>;
      case 'em':
        return <em key={i}>{inline(p.c)}</em>;
      case 'link':
        return (
          <a key={i} href={p.href} rel="noopener noreferrer nofollow" target={p.href.startsWith('#') ? undefined : '_blank'}>
            {inline(p.c)}
          </a>
        );
    }
  });
}

export function Markdown(props: { text: string }) {
  return (
    <div class="md">
      {parseMarkdown(props.text).map((b, i) => {
        switch (b.t) {
          case 'h': {
            const H = `h${Math.min(6, b.level + 2)}` as 'h3';
            return <H key={i}>{inline(b.c)}</H>;
          }
          case 'p':
            return <p key={i}>{inline(b.c)}</p>;
          case 'quote':
            return <blockquote key={i}>{inline(b.c)}</blockquote>;
          case 'pre':
            return <pre key={i}>{b.v}</pre>;
          case 'ul':
          case 'ol': {
            const L = b.t;
            return (
              <L key={i}>
                {b.items.map((it, j) => (
                  <li key={j}>{inline(it)}</li>
                ))}
              </L>
            );
          }
        }
      })}
    </div>
  );
}
