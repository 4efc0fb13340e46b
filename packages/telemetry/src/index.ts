export { createJsonLogger, noopLogger, type Logger, type LogFields, type LogLevel, type JsonLoggerOptions } from './logger';
export { createMetricsRegistry } from './metrics';
export { stopOnSignals, type ShutdownOptions } from './shutdown';
