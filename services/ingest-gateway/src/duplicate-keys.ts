import type { ValidationProblem } from '@trackstream/events';

/**
 * JSON.parse keeps the last of two equal keys in an object and says nothing, so `{"params": {"lr": "0.1", "lr": "0.2"}}`
 * would silently log lr=0.2. This scan of the raw text finds keys repeated in one object with different values.
 * It expects text JSON.parse has already accepted. Repeats with identical values are harmless and pass.
 */
export function findConflictingKeys(text: string): ValidationProblem[] {
  return new Scanner(text).run();
}

// Deeper than any valid event; below this, values are skipped rather than checked, so hostile nesting cannot
// exhaust the stack (validation rejects such bodies on its own).
const MAX_DEPTH = 48;

/** A path built only when a problem needs it. */
type Path = { parent: Path | null; segment: string | number } | null;

function render(path: Path): string {
  const parts: (string | number)[] = [];
  for (let p = path; p; p = p.parent) parts.push(p.segment);
  let out = '';
  for (let k = parts.length - 1; k >= 0; k--) {
    const s = parts[k]!;
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The batch index of a path under `events[i]`, else null (batch-level). */
function indexOf(path: Path): number | null {
  let p = path;
  while (p && p.parent) {
    if (p.parent.parent === null && p.parent.segment === 'events' && typeof p.segment === 'number') return p.segment;
    p = p.parent;
  }
  return null;
}

class Scanner {
  private i = 0;
  private readonly problems: ValidationProblem[] = [];

  constructor(private readonly text: string) {}

  run(): ValidationProblem[] {
    this.value(null, 0);
    return this.problems;
  }

  private ws(): void {
    const t = this.text;
    let c = t.charCodeAt(this.i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.i);
  }

  private value(path: Path, depth: number): void {
    this.ws();
    const c = this.text.charCodeAt(this.i);
    if ((c === 0x7b || c === 0x5b) && depth >= MAX_DEPTH) this.skipNested();
    else if (c === 0x7b) this.object(path, depth);
    else if (c === 0x5b) this.array(path, depth);
    else if (c === 0x22) this.string();
    else this.scalar();
  }

  private object(path: Path, depth: number): void {
    this.i++; // {
    const seen = new Map<string, [number, number]>();
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const keyStart = this.i;
      this.string();
      const raw = this.text.slice(keyStart + 1, this.i - 1);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      this.ws();
      this.i++; // :
      this.ws();
      const start = this.i;
      const child: Path = { parent: path, segment: key };
      this.value(child, depth + 1);
      const end = this.i;
      const earlier = seen.get(key);
      if (earlier === undefined) seen.set(key, [start, end]);
      else if (this.text.slice(earlier[0], earlier[1]) !== this.text.slice(start, end)) {
        this.problems.push({
          index: indexOf(child),
          path: render(child),
          message: `key ${JSON.stringify(key)} appears more than once in this object with different values`,
        });
      }
      this.ws();
      if (this.text.charCodeAt(this.i++) === 0x7d) return; // } else ,
    }
  }

  private array(path: Path, depth: number): void {
    this.i++; // [
    this.ws();
    if (this.text.charCodeAt(this.i) === 0x5d) {
      this.i++;
      return;
    }
    for (let k = 0; ; k++) {
      this.value({ parent: path, segment: k }, depth + 1);
      this.ws();
      if (this.text.charCodeAt(this.i++) === 0x5d) return; // ] else ,
    }
  }

  private string(): void {
    const t = this.text;
    let j = this.i + 1;
    for (;;) {
      const q = t.indexOf('"', j);
      // Count the backslashes before the quote: an odd number escapes it.
      let b = q - 1;
      while (t.charCodeAt(b) === 0x5c) b--;
      if ((q - 1 - b) % 2 === 0) {
        this.i = q + 1;
        return;
      }
      j = q + 1;
    }
  }

  private scalar(): void {
    const t = this.text;
    let c = t.charCodeAt(this.i);
    while (this.i < t.length && c !== 0x2c && c !== 0x7d && c !== 0x5d && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      c = t.charCodeAt(++this.i);
    }
  }

  private skipNested(): void {
    let depth = 0;
    const t = this.text;
    do {
      const c = t.charCodeAt(this.i);
      if (c === 0x22) {
        this.string();
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) depth--;
      this.i++;
    } while (depth > 0 && this.i < t.length);
  }
}
