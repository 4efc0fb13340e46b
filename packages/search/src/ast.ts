export type Entity = 'metric' | 'param' | 'tag' | 'attribute';
export type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'ILIKE' | 'NOT LIKE' | 'NOT ILIKE' | 'IN' | 'NOT IN';
export type Literal = { type: 'string'; value: string } | { type: 'number'; value: number; text: string };

export interface Comparison {
  kind: 'comparison';
  entity: Entity;
  /** For attributes, the canonical attribute name (see ATTRIBUTES). */
  key: string;
  op: Operator;
  value: Literal | Literal[];
  /** Offset of the comparison's first character in the filter. */
  position: number;
}

export type FilterAst =
  | { kind: 'all' }
  | { kind: 'and'; items: FilterAst[] }
  | { kind: 'or'; items: FilterAst[] }
  | { kind: 'not'; item: FilterAst }
  | Comparison;

/** `count`: a number of collaboration rows of the run (notes, stars), compared as a number. */
export type AttributeType = 'string' | 'time' | 'count';
/** Run attributes a filter or order_by may name: canonical name → type. */
export const ATTRIBUTES: Readonly<Record<string, AttributeType>> = {
  run_id: 'string',
  run_name: 'string',
  status: 'string',
  user_id: 'string',
  experiment_id: 'string',
  parent_run_id: 'string',
  start_time: 'time',
  end_time: 'time',
  notes_count: 'count',
  stars_count: 'count',
};

/** Attributes compared and ordered as numbers. */
export function isNumericAttribute(key: string): boolean {
  return ATTRIBUTES[key] === 'time' || ATTRIBUTES[key] === 'count';
}
/** Other spellings MLflow and its users write. */
export const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  user: 'user_id',
  created: 'start_time',
  'run name': 'run_name',
  runname: 'run_name',
};

/** Prefix (case-insensitive) → entity, with MLflow's alternate spellings. */
export const PREFIXES: Readonly<Record<string, Entity>> = {
  metric: 'metric',
  metrics: 'metric',
  param: 'param',
  params: 'param',
  parameter: 'param',
  parameters: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attributes: 'attribute',
  attr: 'attribute',
  run: 'attribute',
};
