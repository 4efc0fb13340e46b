import { INDEXED_VALUE_PREFIX, PG_TABLES, quoteSchema } from '@trackstream/postgres';
import { isNumericAttribute, type Comparison, type FilterAst, type Literal } from './ast';
import { decodePageToken, encodePageToken, queryHash, type Cursor, type KeyType } from './cursor';
import { SearchError } from './errors';
import { parseFilter, parseOrderBy, type OrderItem } from './parser';

export interface SearchRequest {
  /** Postgres schema holding the projection tables. */
  schema: string;
  /** Experiments to search; empty = all. */
  experimentIds: string[];
  /** null/undefined = no project scoping; access control passes the caller's projects (empty = nothing visible). */
  projects?: string[] | null;
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
  /**
   * Which runs by lifecycle stage (MLflow's run_view_type): 'active' (never deleted, or restored), 'deleted', or
   * 'all' (the default, as before schema version 2).
   */
  lifecycle?: 'active' | 'deleted' | 'all';
}

export interface CompiledSearch {
  text: string;
  values: unknown[];
  pageSize: number;
  /** Given the rows the query returned (it fetches pageSize + 1), the run ids of this page in order and the next page token or null. */
  page(rows: Record<string, unknown>[]): { runIds: string[]; nextPageToken: string | null };
}

// The value-index prefix and the schema quoting are the Postgres projection's rules: imported, never copied.
export { INDEXED_VALUE_PREFIX };

export const DEFAULT_MAX_RESULTS = 100;
export const MAX_MAX_RESULTS = 1000;

/** Attribute → runs column. Identifiers reach SQL only from this table. */
const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = {
  run_id: 'r.run_id',
  run_name: 'r.run_name',
  status: 'r.status',
  user_id: 'r.user_name',
  experiment_id: 'r.experiment_id',
  parent_run_id: 'r.parent_run_id',
  start_time: 'r.start_time',
  end_time: 'r.end_time',
};

/** The SQL of an attribute of run `r`; the collaboration counts are subqueries on the projection's tables. */
function attributeColumn(s: string, key: string): string {
  if (key === 'notes_count') return `(SELECT count(*) FROM ${s}.${PG_TABLES.notes} n WHERE n.run_id = r.run_id AND NOT n.deleted)`;
  if (key === 'stars_count') return `(SELECT count(*) FROM ${s}.${PG_TABLES.runStars} st WHERE st.run_id = r.run_id)`;
  return ATTRIBUTE_COLUMNS[key]!;
}

/**
 * A param value that Postgres `numeric` reads without error. The exponent is bounded so no value can overflow
 * numeric; NaN/Infinity and blanks are deliberately not numbers here. This is a constant of ours, never input.
 */
const NUMERIC_TEXT = `'^-?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]{1,3})?$'`;


class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const SQL_OP: Record<string, string> = { '=': '=', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

class FilterCompiler {
  constructor(
    private readonly s: string,
    private readonly p: Params,
  ) {}

  compile(ast: FilterAst): string {
    switch (ast.kind) {
      case 'all':
        return 'TRUE';
      case 'and':
        return `(${ast.items.map((i) => this.compile(i)).join(' AND ')})`;
      case 'or':
        return `(${ast.items.map((i) => this.compile(i)).join(' OR ')})`;
      case 'not':
        return `(NOT ${this.compile(ast.item)})`;
      case 'comparison':
        return this.comparison(ast);
    }
  }

  private comparison(c: Comparison): string {
    if (c.entity === 'attribute') return this.attribute(c);
    const table = { metric: PG_TABLES.latestMetrics, param: PG_TABLES.params, tag: PG_TABLES.tags }[c.entity];
    // Every key predicate is an EXISTS over the run's row for that key: a missing key makes it false, and NOT of
    // it true, so the filter is two-valued logic throughout.
    const key = this.p.add(c.key);
    const cond = c.entity === 'metric' ? this.metricCond(c) : this.textCond(c, 'x.value');
    return `EXISTS (SELECT 1 FROM ${this.s}.${table} x WHERE x.run_id = r.run_id AND x.key = ${key} AND ${cond})`;
  }

  private metricCond(c: Comparison): string {
    const v = this.p.add((c.value as Literal & { type: 'number' }).value);
    // Postgres orders NaN above every number; a NaN metric is neither above nor below a threshold.
    const notNaN = c.op === '>' || c.op === '>=' ? ` AND x.value <> 'NaN'::float8` : '';
    return `x.value ${SQL_OP[c.op]} ${v}::float8${notNaN}`;
  }

  /** A comparison on a text value: params, tags and string attributes. */
  private textCond(c: Comparison, col: string): string {
    if (Array.isArray(c.value)) {
      const v = this.p.add(c.value.map((l) => (l as Literal & { type: 'string' }).value));
      return c.op === 'IN' ? `${col} = ANY(${v}::text[])` : `NOT (${col} = ANY(${v}::text[]))`;
    }
    const lit = c.value;
    if (lit.type === 'number') {
      // Numeric comparison of a param/tag holding a number; values that are not numbers never match and never
      // reach the cast (CASE guarantees the order of evaluation).
      const v = this.p.add(String(lit.value));
      return `(CASE WHEN ${col} ~ ${NUMERIC_TEXT} THEN ${col}::numeric END) ${SQL_OP[c.op]} ${v}::numeric`;
    }
    switch (c.op) {
      case '=': {
        const v = this.p.add(lit.value);
        return col === 'x.value'
          ? `left(${col}, ${INDEXED_VALUE_PREFIX}) = left(${v}::text, ${INDEXED_VALUE_PREFIX}) AND ${col} = ${v}::text`
          : `${col} = ${v}::text`;
      }
      case 'LIKE':
      case 'ILIKE':
      case 'NOT LIKE':
      case 'NOT ILIKE':
        return `${col} ${c.op} ${this.p.add(lit.value)}::text`;
      default:
        return `${col} ${SQL_OP[c.op]} ${this.p.add(lit.value)}::text`;
    }
  }

  private attribute(c: Comparison): string {
    const col = attributeColumn(this.s, c.key);
    if (isNumericAttribute(c.key)) {
      const n = (c.value as Literal & { type: 'number' }).value;
      // An integer stays bigint so the (experiment_id, start_time) index applies.
      const v = Number.isSafeInteger(n) ? `${this.p.add(String(n))}::int8` : `${this.p.add(n)}::float8`;
      return `COALESCE(${col} ${SQL_OP[c.op]} ${v}, FALSE)`;
    }
    // A null attribute (e.g. no run_name) is a missing value: false, as a missing param.
    return `COALESCE(${this.textCond(c, col)}, FALSE)`;
  }
}

interface SortKey {
  item: OrderItem;
  /** SQL expression of the sort key (typed). */
  expr: string;
  type: KeyType;
}

function validateMaxResults(m: unknown): number {
  if (m === undefined || m === null) return DEFAULT_MAX_RESULTS;
  if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > MAX_MAX_RESULTS) {
    throw new SearchError(
      'MAX_RESULTS_INVALID',
      `max_results: expected an integer from 1 to ${MAX_MAX_RESULTS}, got ${JSON.stringify(m)}`,
      undefined,
      `an integer from 1 to ${MAX_MAX_RESULTS}`,
    );
  }
  return m;
}

const DEFAULT_ORDER = ['attributes.start_time DESC'];

/** The caller validates request bodies; a wrong type here is its bug, not the client's. */
function stringList(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`compileSearch: ${name} must be an array of strings`);
  return [...(v as string[])];
}

/** Compiles a search request to one SQL statement with bound parameters. Throws SearchError for client mistakes. */
export function compileSearch(req: SearchRequest): CompiledSearch {
  const s = quoteSchema(req.schema);
  const pageSize = validateMaxResults(req.maxResults);
  const ast = parseFilter(req.filter ?? '');
  const rawOrder = req.orderBy && req.orderBy.length > 0 ? req.orderBy : DEFAULT_ORDER;
  const parsedOrder = parseOrderBy(rawOrder);
  // run_id is unique, so it ends the order: keys after it never decide anything. Without it, run_id ASC breaks ties.
  const runIdAt = parsedOrder.findIndex((o) => o.entity === 'attribute' && o.key === 'run_id');
  const order = runIdAt < 0 ? parsedOrder : parsedOrder.slice(0, runIdAt);
  const tieDirection = runIdAt < 0 ? 'ASC' : parsedOrder[runIdAt]!.direction;
  const experimentIds = stringList(req.experimentIds ?? [], 'experimentIds');
  const projects = req.projects === null || req.projects === undefined ? null : stringList(req.projects, 'projects');

  const p = new Params();
  const joins: string[] = [];
  const keys: SortKey[] = order.map((item, i) => {
    const alias = `o${i}`;
    switch (item.entity) {
      case 'attribute': {
        const type: KeyType = isNumericAttribute(item.key) ? 'int8' : 'text';
        return { item, expr: attributeColumn(s, item.key), type };
      }
      case 'metric':
        joins.push(`LEFT JOIN ${s}.${PG_TABLES.latestMetrics} ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ${p.add(item.key)}`);
        return { item, expr: `${alias}.value`, type: 'float8' };
      case 'param':
      case 'tag':
        joins.push(`LEFT JOIN ${s}.${item.entity === 'param' ? PG_TABLES.params : PG_TABLES.tags} ${alias} ON ${alias}.run_id = r.run_id AND ${alias}.key = ${p.add(item.key)}`);
        return { item, expr: `${alias}.value`, type: 'text' };
    }
  });

  const where: string[] = [];
  if (experimentIds.length > 0) where.push(`r.experiment_id = ANY(${p.add(experimentIds)}::text[])`);
  if (projects !== null) where.push(`r.project = ANY(${p.add([...projects])}::text[])`);
  const lifecycle = req.lifecycle ?? 'all';
  if (lifecycle === 'active') where.push(`r.lifecycle_stage IS DISTINCT FROM 'deleted'`);
  if (lifecycle === 'deleted') where.push(`r.lifecycle_stage = 'deleted'`);
  if (ast.kind !== 'all') where.push(new FilterCompiler(s, p).compile(ast));

  const hash = queryHash({
    schema: req.schema,
    experimentIds: [...experimentIds].sort(),
    projects: projects === null ? null : [...projects].sort(),
    filter: req.filter ?? '',
    order: order.map((o) => [o.entity, o.key, o.direction]),
    tie: tieDirection,
    ...(lifecycle === 'all' ? {} : { lifecycle }),
  });
  const types = keys.map((k) => k.type);
  if (req.pageToken !== undefined && req.pageToken !== null && req.pageToken !== '') {
    const cursor = decodePageToken(req.pageToken, hash, types);
    where.push(keysetCondition(keys, tieDirection, cursor, p));
  }

  const select = ['r.run_id AS run_id', ...keys.map((k, i) => `(${k.expr})::text AS k${i}`)];
  const orderSql = [...keys.map((k) => `${k.expr} ${k.item.direction} NULLS LAST`), `r.run_id ${tieDirection}`];
  const text = [
    `SELECT ${select.join(', ')}`,
    `FROM ${s}.${PG_TABLES.runs} r`,
    ...joins,
    where.length > 0 ? `WHERE ${where.join('\n  AND ')}` : '',
    `ORDER BY ${orderSql.join(', ')}`,
    `LIMIT ${pageSize + 1}`,
  ]
    .filter((l) => l !== '')
    .join('\n');

  return {
    text,
    values: p.values,
    pageSize,
    page(rows) {
      const pageRows = rows.slice(0, pageSize);
      const runIds = pageRows.map((r) => String(r['run_id']));
      if (rows.length <= pageSize || pageRows.length === 0) return { runIds, nextPageToken: null };
      const last = pageRows[pageRows.length - 1]!;
      const cursor: Cursor = {
        keys: keys.map((_, i) => {
          const v = last[`k${i}`];
          return v === null || v === undefined ? null : String(v);
        }),
        runId: String(last['run_id']),
      };
      return { runIds, nextPageToken: encodePageToken(hash, cursor) };
    },
  };
}

/**
 * Rows strictly after the cursor in `ORDER BY k1 dir NULLS LAST, …, run_id ASC`. Postgres' row comparison
 * `(a, b) > (x, y)` cannot express mixed directions or NULLS LAST, so this is the expanded form:
 * OR over i of (k1..k(i-1) equal to the cursor's) AND (k_i after the cursor's k_i). With NULLS LAST, "after" a
 * non-null value is "beyond it in the direction, or null"; nothing is after a null except through later keys.
 * Whether a cursor key is null is known here, so it picks the SQL form; the values themselves are bound.
 */
function keysetCondition(keys: SortKey[], tieDirection: 'ASC' | 'DESC', cursor: Cursor, p: Params): string {
  const bound = cursor.keys.map((v, i) => (v === null ? null : `${p.add(v)}::${keys[i]!.type}`));
  const runId = `${p.add(cursor.runId)}::text`;
  const disjuncts: string[] = [];
  for (let i = 0; i <= keys.length; i++) {
    const conj: string[] = [];
    for (let j = 0; j < i; j++) {
      const b = bound[j];
      conj.push(b === null ? `${keys[j]!.expr} IS NULL` : `${keys[j]!.expr} = ${b}`);
    }
    if (i === keys.length) {
      conj.push(`r.run_id ${tieDirection === 'ASC' ? '>' : '<'} ${runId}`);
    } else {
      const b = bound[i];
      if (b === null) continue;
      const cmp = keys[i]!.item.direction === 'ASC' ? '>' : '<';
      conj.push(`(${keys[i]!.expr} ${cmp} ${b} OR ${keys[i]!.expr} IS NULL)`);
    }
    disjuncts.push(`(${conj.join(' AND ')})`);
  }
  return `(${disjuncts.join(' OR ')})`;
}
