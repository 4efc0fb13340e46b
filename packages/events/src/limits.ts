export const EVENTS_TOPIC = 'trackstream.events.v1';
/** Partitions of the events topic when it is created (the design's 12: room for parallel projectors). */
export const EVENTS_TOPIC_PARTITIONS = 12;
export const DLQ_TOPIC = 'trackstream.events.dlq.v1';

/**
 * Limits from the design doc (MLflow's, so its users meet no surprise). The Avro schemas name these
 * (e.g. `"trackstream.maxLength": "keyLength"`) instead of repeating the numbers, so there is one place to change them.
 */
export const LIMITS = {
  keyLength: 250,
  paramValueLength: 6000,
  tagValueLength: 5000,
  pointsPerEvent: 1000,
  eventsPerBatch: 1000,
  /** Enforced by the gateway (413); exported so every component agrees on the number. */
  batchBytes: 4194304,
  /** Not in the design doc: bounds on lists it leaves open, so one event stays a reasonable Kafka record. */
  keysPerEvent: 1000,
  /** Entries of one map (params, tags, context) in one event. */
  entriesPerMap: 1000,
  lineageRefsPerEvent: 1000,
  /** A 400 lists at most this many problems (a hostile 4 MiB body could otherwise yield tens of MB of them). */
  problemsPerResponse: 1000,
  idPattern: /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/,
} as const satisfies Record<string, number | RegExp>;

export type NumericLimitName = { [K in keyof typeof LIMITS]: (typeof LIMITS)[K] extends number ? K : never }[keyof typeof LIMITS];
