import { createHash, randomUUID } from 'node:crypto';

// A fixed namespace so every SDK, in every process and language that follows this rule, derives the same ids.
const TRACKSTREAM_NAMESPACE = 'f1d6c0a4-3b0e-5d8e-9c41-7a2f5e3b9d10';

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 4122 version-5 UUID (SHA-1 of namespace + name). */
export function uuidV5(name: string, namespace: string = TRACKSTREAM_NAMESPACE): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

/**
 * The experiment id for (project, name). Hundreds of sweep workers calling get-or-create at once compute the
 * same id without talking to each other, so there is nothing to race on. The separator cannot occur in a project id.
 */
export function experimentIdFor(project: string, name: string): string {
  return `exp-${uuidV5(`experiment\u0000${project}\u0000${name}`)}`;
}

/**
 * The event id of an experiment's creation event: also deterministic, so every worker's experiment_created
 * is the same event and projections (idempotent by event_id) apply it once.
 */
export function experimentCreatedEventId(experimentId: string): string {
  return uuidV5(`experiment_created\u0000${experimentId}`);
}

export function newEventId(): string {
  return randomUUID();
}

export function newRunId(): string {
  return `run-${randomUUID()}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
