import { decodePositionsToken } from '@trackstream/events';
import type { Request, Response } from 'express';
import { createMetricsRegistry, noopLogger } from '@trackstream/telemetry';
import { GatewayError } from '../errors';
import { createGatewayMetrics } from '../metrics';
import { answerAccepted, answerError, errorResponse } from './answer';

function fakeResponse() {
  const sent: { status?: number; headers: Record<string, string>; body?: unknown } = { headers: {} };
  const res = {
    headersSent: false,
    locals: {},
    set(h: Record<string, string>) {
      Object.assign(sent.headers, h);
      return res;
    },
    status(s: number) {
      sent.status = s;
      return res;
    },
    json(b: unknown) {
      sent.body = b;
      return res;
    },
  };
  return { res: res as unknown as Response, sent };
}
const req = { method: 'POST', path: '/v1/events', route: undefined } as unknown as Request;
const deps = () => ({
  logger: noopLogger,
  metrics: createGatewayMetrics(createMetricsRegistry('test'), {
    inFlightBytes: () => 0, inFlightRequests: () => 0, inFlightLimitBytes: () => 0, completedBytesPerSecond: () => 0, breakerState: () => 'closed',
  }),
});

describe('step answer', () => {
  it('given an accepted batch, then 202 with the count and a token naming the positions', () => {
    const { res, sent } = fakeResponse();
    answerAccepted(res, 3, { topic: 't', positions: { 0: '5' } });
    expect(sent.status).toBe(202);
    expect((sent.body as { accepted: number }).accepted).toBe(3);
    expect(decodePositionsToken((sent.body as { token: string }).token).positions).toEqual({ 0: '5' });
  });

  it.each([
    [new GatewayError('UNAUTHENTICATED', 'no token'), 401, { 'WWW-Authenticate': 'Bearer realm="trackstream"' }],
    [new GatewayError('OVERLOADED', 'busy'), 429, { 'Retry-After': '1' }],
    [new GatewayError('LOG_UNAVAILABLE', 'down', { retryAfterSeconds: 7 }), 503, { 'Retry-After': '7' }],
    [new GatewayError('VALIDATION_FAILED', 'bad'), 400, {}],
  ])('given %s, then its status and headers come from the code table', (error, status, headers) => {
    expect(errorResponse(error)).toEqual({ status, headers, body: { error: { code: error.code, message: error.message, retriable: error.retriable } } });
  });

  it('given something that is not a GatewayError, then 500 INTERNAL without its message', () => {
    const { res, sent } = fakeResponse();
    answerError(deps(), req, res, new Error('secret detail'));
    expect(sent.status).toBe(500);
    expect(JSON.stringify(sent.body)).not.toMatch(/secret/);
  });

  it('given the client went away, then nothing is written', () => {
    const { res, sent } = fakeResponse();
    answerError(deps(), req, res, new GatewayError('CLIENT_CLOSED_REQUEST', 'gone'));
    expect(sent.status).toBeUndefined();
  });
});
