export { createJsonLogger, noopLogger, isSecretField, scrubSecrets, redactUrl, REDACTED, type Logger, type LogFields, type LogLevel, type JsonLoggerOptions } from './logger';
export { createMetricsRegistry } from './metrics';
export { stopOnSignals, type ShutdownOptions } from './shutdown';
