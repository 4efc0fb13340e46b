import { createHash } from 'node:crypto';
import { LIMITS } from '@trackstream/events';

/** The id MLflow's clients use for the experiment every tracking server has. */
export const DEFAULT_EXPERIMENT_ID = '0';
export const DEFAULT_EXPERIMENT_NAME = 'Default';

/**
 * Experiment ids are global in the projection while every project has its own Default experiment "0": on the wire
 * it is "0", stored it is `0.<project>` (or a digest of the project when that would not fit the id rule).
 */
export function defaultExperimentId(project: string): string {
  const plain = `0.${project}`;
  return LIMITS.idPattern.test(plain) ? plain : `0.${createHash('sha256').update(project).digest('hex').slice(0, 40)}`;
}

/** The id the client sent → the id in the projection. */
export function fromWireExperimentId(wire: string, project: string): string {
  return wire === DEFAULT_EXPERIMENT_ID ? defaultExperimentId(project) : wire;
}

/** The id in the projection → the id the client sees. */
export function toWireExperimentId(stored: string, project: string): string {
  return stored === defaultExperimentId(project) ? DEFAULT_EXPERIMENT_ID : stored;
}

/** A new experiment id: 18 decimal digits, as MLflow's own stores write them (any id-rule string would do). */
export function newExperimentId(random: () => number = Math.random): string {
  let s = String(1 + Math.floor(random() * 9));
  while (s.length < 18) s += String(Math.floor(random() * 10));
  return s;
}

/** A new run id: 32 hex digits, MLflow's run_uuid form. */
export function newRunId(uuid: () => string): string {
  return uuid().replace(/-/g, '');
}

/** An event id derived from stable inputs (a v4-shaped UUID from a digest), so a retried write appends the same id. */
export function derivedEventId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ADJECTIVES = ['amber', 'bold', 'brisk', 'calm', 'clever', 'crisp', 'dapper', 'eager', 'fancy', 'gentle', 'golden', 'keen', 'lucky', 'merry', 'nimble', 'quiet', 'rare', 'sunny', 'swift', 'witty'];
const NOUNS = ['badger', 'bee', 'crane', 'deer', 'dove', 'falcon', 'fox', 'heron', 'koi', 'lark', 'lynx', 'mole', 'newt', 'otter', 'owl', 'panda', 'quail', 'seal', 'swan', 'wren'];

/** A readable run name when the client gives none (MLflow's server names such runs too). */
export function randomRunName(random: () => number = Math.random): string {
  const pick = (xs: readonly string[]) => xs[Math.floor(random() * xs.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(random() * 1000)}`;
}
