import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LIMITS } from '@trackstream/events';
import type { Refusal } from '../admission';
import { GatewayError } from '../errors';
import type { GatewayContext } from './context';
import { exchangeOf } from './context';

/** Rejected for the client's sake, not the log's: never counted against the circuit. */
export const clientClosed = (): GatewayError => new GatewayError('CLIENT_CLOSED_REQUEST', 'the client closed the connection before the answer');

/**
 * The request head as admission needs it: the media type must be JSON (no body at all is let through and answered
 * as an empty batch), and the bytes to reserve are the declared length (the most a body may be when chunked).
 */
export function checkHead(head: { isJson: boolean | null; contentType: string | undefined; contentLength: string | undefined }): { reserveBytes: number } {
  if (head.isJson === false) {
    throw new GatewayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json (got ${head.contentType ?? 'none'})`);
  }
  const parsedLength = head.contentLength === undefined ? NaN : Number(head.contentLength);
  const length = Number.isSafeInteger(parsedLength) && parsedLength >= 0 ? parsedLength : LIMITS.batchBytes;
  if (length > LIMITS.batchBytes) {
    throw new GatewayError('PAYLOAD_TOO_LARGE', `request body of ${length} bytes is over the limit of ${LIMITS.batchBytes} bytes`);
  }
  return { reserveBytes: length };
}

/** 429 OVERLOADED saying which limit was hit; the expected-work one says why the gateway refuses early. */
export function overloaded(refusal: Refusal, inFlight: { requests: number; bytes: number }, deadlineMs: number): GatewayError {
  const held = `${inFlight.requests} requests, ${inFlight.bytes} bytes`;
  const message =
    refusal.reason === 'expected_work'
      ? `the gateway would not finish its in-flight work (${held}) within the ${deadlineMs} ms deadline: it completes about ` +
        `${Math.round(refusal.bytesPerSecond)} request bytes/s, so it holds at most ${refusal.limit} bytes; retry later`
      : `the gateway is at its in-flight limit of ${refusal.limit} ${refusal.reason} (in flight: ${held}); retry later`;
  const reason = refusal.reason === 'expected_work' ? 'EXPECTED_WORK' : refusal.reason === 'requests' ? 'INFLIGHT_REQUESTS' : 'INFLIGHT_BYTES';
  return new GatewayError('OVERLOADED', message, { retryAfterSeconds: 1, details: { reason, limit: refusal.limit } });
}

/** An answer that is the gateway's work done (accepted or refused on its merits), not a timeout or a failed append. */
export function workDone(status: number): boolean {
  return status < 500 && status !== 408 && status !== 499;
}

/**
 * Step admit, before the body is read: the head (checkHead), the in-flight budget (static limits and expected work),
 * and the request's deadline. The reservation and the timer end when the response does. At the deadline, a body
 * still arriving is answered 408 here (`timedOut`); an append under way is aborted with DEADLINE_EXCEEDED.
 */
export function admit(ctx: GatewayContext, timedOut: (req: Request, res: Response, err: GatewayError) => void): RequestHandler {
  const { deadlineMs } = ctx.options;
  return (req: Request, res: Response, next: NextFunction) => {
    if (ctx.shuttingDown()) return next(new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down', { retryAfterSeconds: 1 }));
    let head;
    try {
      head = checkHead({ isJson: isJson(req), contentType: req.get('content-type'), contentLength: req.get('content-length') });
    } catch (err) {
      if (err instanceof GatewayError && err.code === 'PAYLOAD_TOO_LARGE') res.set('Connection', 'close');
      return next(err);
    }
    const admitted = ctx.admission.tryAdmit(head.reserveBytes);
    if (!admitted.ok) {
      return next(overloaded(admitted.refusal, { requests: ctx.admission.inFlightRequests, bytes: ctx.admission.inFlightBytes }, deadlineMs));
    }
    const reservation = admitted.admitted;
    const controller = new AbortController();
    const exchange = exchangeOf(res);
    exchange.signal = controller.signal;
    exchange.phase = 'body';
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      if (exchange.phase === 'body') {
        // The body parser still owns `next`; answer directly and let the connection go.
        res.set('Connection', 'close');
        timedOut(req, res, new GatewayError('REQUEST_TIMEOUT', `the request body did not arrive within ${deadlineMs} ms`));
        controller.abort(clientClosed());
        return;
      }
      // The append rejects with this reason and the error handler answers.
      controller.abort(
        new GatewayError(
          'DEADLINE_EXCEEDED',
          `Kafka did not acknowledge the batch within ${deadlineMs} ms; it may or may not be in the log: retry with the same event ids`,
          { retryAfterSeconds: ctx.log.retryAfterSeconds() },
        ),
      );
    }, deadlineMs);
    res.once('close', () => {
      clearTimeout(timer);
      // Only work finished in time counts towards the measured rate; a timeout or a failed append is time spent
      // without a result, which is what lowers the limit when the gateway falls behind.
      reservation.release(res.writableFinished && workDone(res.statusCode) ? 'completed' : 'failed');
      if (!res.writableFinished) controller.abort(clientClosed());
    });
    next();
  };
}

/** true/false by the media type; null when there is no body at all. */
function isJson(req: Request): boolean | null {
  const is = req.is('application/json');
  return is === null ? null : is !== false;
}
