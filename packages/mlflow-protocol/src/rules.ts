import { LIMITS } from '@trackstream/events';
import { invalid } from './errors';

/** MLflow's batch limits (mlflow/utils/validation.py). */
export const MLFLOW_LIMITS = Object.freeze({ metricsPerBatch: 1000, paramsAndTagsPerBatch: 100, entitiesPerBatch: 1000 });

// MLflow's key rule: alphanumerics (Unicode \w), underscores, dashes, periods, spaces, slashes and colons, and a path
// that normalises to itself (no '..', no leading '/', no '//' or './').
const KEY_CHARS = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;

function normalisesToItself(name: string): boolean {
  if (name === '' || name === '.' || name.startsWith('/') || name.startsWith('..')) return false;
  const parts = name.split('/');
  return !parts.some((p, i) => p === '.' || p === '..' || (p === '' && i !== parts.length - 1)) && !name.endsWith('/');
}

/** Checks a metric, param or tag key by MLflow's rule and our length limit; names the field when it is wrong. */
export function checkKey(key: string, field: string): void {
  if (key === '') throw invalid(`Invalid value "" for parameter '${field}' supplied: the key must not be empty`);
  if (key.length > LIMITS.keyLength) throw invalid(`Invalid value for parameter '${field}' supplied: the key exceeds the maximum length of ${LIMITS.keyLength}`);
  if (!KEY_CHARS.test(key)) {
    throw invalid(`Invalid value ${JSON.stringify(key)} for parameter '${field}' supplied. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`);
  }
  if (!normalisesToItself(key)) {
    throw invalid(`Invalid value ${JSON.stringify(key)} for parameter '${field}' supplied. Names may be treated as files in certain cases, and must not resolve to other names when treated as such.`);
  }
}
