import type { IncomingMessage, ServerResponse } from 'node:http';
import { MlflowError, proto } from '@trackstream/mlflow-protocol';

/** Request steps of the HTTP edge: read the body (bounded), turn body or query string into a request message, answer. */

export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      reject(new MlflowError('INVALID_PARAMETER_VALUE', `request body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) {
        done = true;
        req.resume();
        reject(new MlflowError('INVALID_PARAMETER_VALUE', `request body exceeds the limit of ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!done) {
        done = true;
        reject(new MlflowError('BAD_REQUEST', `request body could not be read: ${e.message}`));
      }
    });
  });
}

/** A POST/PATCH/DELETE body: JSON object (empty = {}). */
export function parseJsonBody(body: Buffer, contentEncoding: string | undefined): proto.Message {
  if (contentEncoding !== undefined && contentEncoding !== 'identity') {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Content-Encoding ${JSON.stringify(contentEncoding.slice(0, 40))} is not supported; send the body uncompressed`);
  }
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Malformed JSON in the request body: ${(e as Error).message.slice(0, 200)}`);
  }
  return proto.asMessage(value);
}

/** A GET's query string as a message: a repeated key is a list (run_ids=a&run_ids=b), as MLflow's client sends them. */
export function parseQuery(search: string): proto.Message {
  const out: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return { ...out };
}

export function answerJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function answerError(res: ServerResponse, err: MlflowError): void {
  answerJson(res, err.status, err.body(), err.retryAfterSeconds === undefined ? {} : { 'retry-after': String(err.retryAfterSeconds) });
}
