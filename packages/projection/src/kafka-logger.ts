import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@trackstream/telemetry';

/** Routes kafkajs' own log lines into the injected logger; its INFO chatter goes to debug. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, ...fields } = log;
      const line = { kafkajs: namespace, ...fields };
      if (level === logLevel.ERROR) logger.error(message, line);
      else if (level === logLevel.WARN) logger.warn(message, line);
      else logger.debug(message, line);
    };
}
