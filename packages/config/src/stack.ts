import { brokerList, envVar, logLevel, url } from './env';

/** The variables every Trackstream process shares: where the three stores are, and how loud to log. */
export const commonEnv = {
  kafkaBrokers: envVar('TRACKSTREAM_KAFKA_BROKERS', brokerList, '127.0.0.1:9092'),
  pgUrl: envVar('TRACKSTREAM_PG_URL', url(['postgres:', 'postgresql:']), 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream'),
  clickhouseUrl: envVar('TRACKSTREAM_CLICKHOUSE_URL', url(['http:', 'https:']), 'http://127.0.0.1:8123/trackstream'),
  logLevel: envVar('TRACKSTREAM_LOG_LEVEL', logLevel, 'info'),
};
