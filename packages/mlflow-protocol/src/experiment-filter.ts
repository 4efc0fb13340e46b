import { SearchError, tokenize, type Token } from '@trackstream/search';
import { invalid } from './errors';
import type { ExperimentFacts } from './shapes';

/**
 * MLflow's search_experiments filter (mlflow/utils/search_utils.py SearchExperimentsUtils): comparisons joined by
 * AND on `name`, `creation_time`, `last_update_time` (optionally `attributes.`-prefixed) and `tags.<key>`.
 * Tokens come from @trackstream/search's tokenizer (one lexical rule for both searches).
 */
type Field = { kind: 'name' } | { kind: 'time'; column: 'created_at' | 'last_update_time' } | { kind: 'tag'; key: string };
type Op = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE';
export interface ExperimentCondition {
  field: Field;
  op: Op;
  value: string | number;
}

const STRING_OPS: readonly Op[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMBER_OPS: readonly Op[] = ['=', '!=', '<', '<=', '>', '>='];

function fieldOf(tokens: Token[], i: number): { field: Field; next: number } {
  const t = tokens[i]!;
  if (t.kind !== 'word' && t.kind !== 'quoted_key' && !(t.kind === 'string' && t.quote === '"')) throw invalid(`Invalid filter: expected an experiment attribute or tag at position ${t.position}`);
  let name = t.text;
  let next = i + 1;
  // `tags.` followed by a quoted key
  if (t.kind === 'word' && name.endsWith('.') && (tokens[next]?.kind === 'quoted_key' || (tokens[next]?.kind === 'string' && tokens[next]?.quote === '"'))) {
    name += tokens[next]!.text;
    next += 1;
  }
  const dot = name.indexOf('.');
  const prefix = dot < 0 ? '' : name.slice(0, dot).toLowerCase();
  const rest = dot < 0 ? name : name.slice(dot + 1);
  if (prefix === 'tag' || prefix === 'tags') {
    if (rest === '') throw invalid(`Invalid filter: a tag key is missing at position ${t.position}`);
    return { field: { kind: 'tag', key: rest }, next };
  }
  if (prefix !== '' && prefix !== 'attribute' && prefix !== 'attributes' && prefix !== 'attr') {
    throw invalid(`Invalid filter: '${prefix}' is not an entity experiments can be searched by (use attributes or tags)`);
  }
  const attr = rest.toLowerCase();
  if (attr === 'name') return { field: { kind: 'name' }, next };
  if (attr === 'creation_time') return { field: { kind: 'time', column: 'created_at' }, next };
  if (attr === 'last_update_time') return { field: { kind: 'time', column: 'last_update_time' }, next };
  throw invalid(`Invalid attribute key '${rest}' specified. Valid keys are 'name', 'creation_time', 'last_update_time'`);
}

export function parseExperimentFilter(filter: string | undefined): ExperimentCondition[] {
  if (filter === undefined || filter.trim() === '') return [];
  let tokens: Token[];
  try {
    tokens = tokenize(filter);
  } catch (e) {
    if (e instanceof SearchError) throw invalid(`Invalid filter '${filter.slice(0, 200)}': ${e.message}`);
    throw e;
  }
  const out: ExperimentCondition[] = [];
  let i = 0;
  for (;;) {
    const { field, next } = fieldOf(tokens, i);
    i = next;
    let t = tokens[i]!;
    let op: Op;
    if (t.kind === 'op') {
      op = (t.text === '==' ? '=' : t.text === '<>' ? '!=' : t.text) as Op;
      i += 1;
    } else if (t.kind === 'word' && /^i?like$/i.test(t.text)) {
      op = t.text.toUpperCase() as Op;
      i += 1;
    } else throw invalid(`Invalid filter: expected a comparison operator at position ${t.position}`);
    t = tokens[i]!;
    i += 1;
    if (field.kind === 'time') {
      if (t.kind !== 'number' || !NUMBER_OPS.includes(op)) throw invalid(`Invalid filter: ${field.column === 'created_at' ? 'creation_time' : 'last_update_time'} compares with a number by =, !=, <, <=, >, >=`);
      out.push({ field, op, value: Number(t.text) });
    } else {
      if (t.kind !== 'string' || !STRING_OPS.includes(op)) throw invalid(`Invalid filter: ${field.kind === 'name' ? 'name' : `tags.${field.key}`} compares with a quoted string by =, !=, LIKE, ILIKE`);
      out.push({ field, op, value: t.text });
    }
    t = tokens[i]!;
    if (t.kind === 'eof') return out;
    if (t.kind === 'word' && t.text.toUpperCase() === 'AND') {
      i += 1;
      continue;
    }
    throw invalid(`Invalid filter: expected AND or the end of the filter at position ${t.position}`);
  }
}

/** SQL LIKE pattern → RegExp (% any run, _ one character, everything else literal). */
export function likePattern(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) re += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, caseInsensitive ? 'iu' : 'u');
}

function test(actual: string | number | null | undefined, op: Op, value: string | number): boolean {
  if (actual === null || actual === undefined) return false;
  switch (op) {
    case '=': return actual === value;
    case '!=': return actual !== value;
    case '<': return actual < value;
    case '<=': return actual <= value;
    case '>': return actual > value;
    case '>=': return actual >= value;
    case 'LIKE': return likePattern(String(value), false).test(String(actual));
    case 'ILIKE': return likePattern(String(value), true).test(String(actual));
  }
}

export function matchesExperiment(e: ExperimentFacts, conditions: readonly ExperimentCondition[]): boolean {
  return conditions.every((c) => {
    const actual = c.field.kind === 'name' ? e.name : c.field.kind === 'tag' ? e.tags[c.field.key] : e[c.field.column];
    return test(actual, c.op, c.value);
  });
}

export interface ExperimentOrder {
  column: 'name' | 'created_at' | 'last_update_time' | 'experiment_id';
  descending: boolean;
}

/** MLflow's experiment order_by: `name`, `creation_time`, `last_update_time`, `experiment_id`, each ASC/DESC. Default: creation_time DESC. */
export function parseExperimentOrder(items: readonly string[]): ExperimentOrder[] {
  const out = items.map((item) => {
    const m = /^\s*(?:attributes?\.|attr\.)?(name|creation_time|last_update_time|experiment_id)(?:\s+(asc|desc))?\s*$/i.exec(item);
    if (!m) throw invalid(`Invalid order_by clause '${item.slice(0, 200)}': experiments order by name, creation_time, last_update_time or experiment_id, optionally ASC or DESC`);
    const key = m[1]!.toLowerCase();
    return { column: (key === 'creation_time' ? 'created_at' : key) as ExperimentOrder['column'], descending: (m[2] ?? 'asc').toLowerCase() === 'desc' };
  });
  if (!out.some((o) => o.column === 'created_at')) out.push({ column: 'created_at', descending: true });
  if (!out.some((o) => o.column === 'experiment_id')) out.push({ column: 'experiment_id', descending: false });
  return out;
}

export function compareExperiments(order: readonly ExperimentOrder[]): (a: ExperimentFacts, b: ExperimentFacts) => number {
  return (a, b) => {
    for (const o of order) {
      const x = a[o.column] ?? null;
      const y = b[o.column] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return o.descending ? -c : c;
    }
    return 0;
  };
}
