import { ClickHouseError } from '@clickhouse/client';
import { ProjectionError } from '@trackstream/projection-core';
import { classifyFailure, rejectedError, retriableError } from './errors';

const server = (code: number, message: string) => new ClickHouseError({ message, code: String(code), type: undefined });
const network = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8123`), { code });

describe('classifyFailure', () => {
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'])('given a %s network error, then unavailable', (code) => {
    expect(classifyFailure(network(code))).toEqual({ kind: 'unavailable' });
  });

  it('given the client\'s request timeout, then unavailable', () => {
    expect(classifyFailure(new Error('Timeout error.'))).toEqual({ kind: 'unavailable' });
  });

  it('given a network error wrapped as a cause, then unavailable', () => {
    expect(classifyFailure(new Error('request failed', { cause: network('ECONNREFUSED') }))).toEqual({ kind: 'unavailable' });
  });

  it('given a parse error naming a row, then data with that row', () => {
    const err = server(27, 'Cannot parse input: expected , before: e300,"ts":1: (at row 3)\n');
    expect(classifyFailure(err)).toEqual({ kind: 'data', serverCode: 27, row: 3 });
  });

  it('given a ClickHouse 18.16 error, which the client leaves without a code, then the code from its message', () => {
    const err = new Error('Code: 131, e.displayText() = DB::Exception: Too large value for FixedString(4): (while read the value of key k): (at row 2)\n, e.what() = DB::Exception\n');
    expect(classifyFailure(err)).toEqual({ kind: 'data', serverCode: 131, row: 2 });
    expect(classifyFailure(new Error('Code: 252, e.displayText() = DB::Exception: Too many parts (300)'))).toEqual({ kind: 'server', serverCode: 252 });
  });

  it('given a server error that mentions a timeout, then a server failure, not a network one', () => {
    expect(classifyFailure(server(159, 'Timeout exceeded: elapsed 5 seconds'))).toEqual({ kind: 'server', serverCode: 159 });
  });

  it('given an unknown JSON field (the table is older than the sink), then a server failure', () => {
    expect(classifyFailure(server(117, 'Unknown field found while parsing JSONEachRow format: value_bits: (at row 1)'))).toEqual({ kind: 'server', serverCode: 117 });
  });

  it('given a type error without a row, then data without a row', () => {
    expect(classifyFailure(server(53, 'Type mismatch'))).toEqual({ kind: 'data', serverCode: 53, row: null });
  });

  it.each([
    [252, 'Too many parts (300). Merges are processing significantly slower than inserts'],
    [241, 'Memory limit (for query) exceeded'],
    [60, 'Table db.metric_points doesn\'t exist'],
    [202, 'Too many simultaneous queries'],
  ])('given server code %i, then a server failure (retried, nothing skipped)', (code, message) => {
    expect(classifyFailure(server(code, message))).toEqual({ kind: 'server', serverCode: code });
  });

  it('given something unknown, then a server failure', () => {
    expect(classifyFailure('boom')).toEqual({ kind: 'server', serverCode: null });
  });
});

describe('ProjectionError mapping', () => {
  it('retriableError: unavailable and other server failures are both retriable, with distinct codes', () => {
    const down = retriableError(network('ECONNREFUSED'), 'insert');
    const busy = retriableError(server(252, 'Too many parts'), 'insert');
    expect(down).toBeInstanceOf(ProjectionError);
    expect([down.code, down.retriable, down.offset]).toEqual(['CLICKHOUSE_UNAVAILABLE', true, undefined]);
    expect([busy.code, busy.retriable]).toEqual(['CLICKHOUSE_FAILED', true]);
  });

  it('rejectedError: non-retriable, with the poison record\'s offset when known', () => {
    const e = rejectedError('step out of range', '42');
    expect([e.code, e.retriable, e.offset]).toEqual(['CLICKHOUSE_RECORD_REJECTED', false, '42']);
    expect(rejectedError('unknown row', undefined).offset).toBeUndefined();
  });
});
