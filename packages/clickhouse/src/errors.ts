import { ProjectionError } from '@trackstream/projection-core';

/**
 * Sorts ClickHouse failures into the runtime's two kinds. Only a server that read the rows and refused their
 * content is "the data's fault" (non-retriable); anything else — no connection, a timeout, a busy or broken
 * server, an unknown code — is retried, because skipping a record is the one thing that cannot be undone.
 */

// Server codes that mean "this input cannot be stored", whatever the server's state.
const DATA_REJECTED_CODES = new Set([
  6, // CANNOT_PARSE_TEXT
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  349, // CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET']);

export type FailureKind = { kind: 'unavailable' } | { kind: 'data'; serverCode: number; row: number | null } | { kind: 'server'; serverCode: number | null };

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : undefined;
}

/**
 * The server's error code. @clickhouse/client parses only the current error format ("Code: 27. DB::Exception");
 * 18.16 writes "Code: 27, e.displayText() = …", which the client leaves as a plain Error without `code`.
 */
function serverCode(err: unknown, message: string): number | undefined {
  const code = errorCode(err);
  if (code !== undefined && /^\d+$/.test(code)) return Number(code);
  const m = /^Code: (\d+)[,.]/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/** What went wrong, judged from the error @clickhouse/client threw (or a Node network error). */
export function classifyFailure(err: unknown): FailureKind {
  const code = errorCode(err);
  const message = err instanceof Error ? err.message : String(err);
  if (code !== undefined && NETWORK_CODES.has(code)) return { kind: 'unavailable' };
  const server = serverCode(err, message);
  // @clickhouse/client: "Timeout error." on request timeout; Node: "socket hang up".
  if (server === undefined && /timeout|socket hang up|ECONNREFUSED|ECONNRESET/i.test(message)) return { kind: 'unavailable' };
  if (server !== undefined) {
    const serverCode = server;
    // "Unknown field found while parsing JSONEachRow" is the table's fault (an old schema), not the record's:
    // calling it poison would send every record to the DLQ.
    if (DATA_REJECTED_CODES.has(serverCode) && !/Unknown field/i.test(message)) {
      // JSONEachRow parse errors name the 1-based row of the insert: "(at row 3)".
      const m = /\(at row (\d+)\)/.exec(message);
      return { kind: 'data', serverCode, row: m ? Number(m[1]) : null };
    }
    return { kind: 'server', serverCode };
  }
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause !== undefined && cause !== err) return classifyFailure(cause);
  return { kind: 'server', serverCode: null };
}

export function retriableError(err: unknown, what: string): ProjectionError {
  const failure = classifyFailure(err);
  const code = failure.kind === 'unavailable' ? 'CLICKHOUSE_UNAVAILABLE' : 'CLICKHOUSE_FAILED';
  const message = err instanceof Error ? err.message : String(err);
  return new ProjectionError(code, `ClickHouse ${what} failed: ${message}`, { retriable: true, cause: err });
}

export function rejectedError(reason: string, offset: string | undefined, cause?: unknown): ProjectionError {
  return new ProjectionError('CLICKHOUSE_RECORD_REJECTED', `ClickHouse cannot store the record: ${reason}`, {
    retriable: false,
    ...(offset === undefined ? {} : { offset }),
    ...(cause === undefined ? {} : { cause }),
  });
}
