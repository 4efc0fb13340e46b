import type { EventType, GatewayFields, TrackstreamEvent } from './generated/types';

export type EventOfType<T extends EventType> = Extract<TrackstreamEvent, { type: T }>;

/** What is in Kafka: the event plus what the gateway adds. */
export type StoredEvent = TrackstreamEvent & GatewayFields;
