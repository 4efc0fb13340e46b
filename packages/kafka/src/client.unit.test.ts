import { logLevel } from 'kafkajs';
import type { LogFields, Logger } from '@trackstream/telemetry';
import { kafkaLogBridge } from './client';

function recordingLogger(lines: { level: string; msg: string; fields: LogFields }[], base: LogFields = {}): Logger {
  const at = (level: string) => (msg: string, fields?: LogFields) => lines.push({ level, msg, fields: { ...base, ...fields } });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (f) => recordingLogger(lines, { ...base, ...f }) };
}

describe('kafkaLogBridge', () => {
  it('given a kafkajs entry, when logged, then it reaches our logger at its level with namespace and extra fields, without kafkajs timestamp', () => {
    const lines: { level: string; msg: string; fields: LogFields }[] = [];
    const log = kafkaLogBridge(recordingLogger(lines))(logLevel.INFO);
    log({ namespace: 'Producer', level: logLevel.ERROR, label: 'ERROR', log: { message: 'boom', timestamp: 'x', logger: 'kafkajs', broker: 'b:1' } });
    log({ namespace: 'Cluster', level: logLevel.WARN, label: 'WARN', log: { message: 'hmm', timestamp: 'x', logger: 'kafkajs' } });
    expect(lines).toEqual([
      { level: 'error', msg: 'boom', fields: { component: 'kafkajs', namespace: 'Producer', broker: 'b:1' } },
      { level: 'warn', msg: 'hmm', fields: { component: 'kafkajs', namespace: 'Cluster' } },
    ]);
  });
});
