import { MlflowError } from '@trackstream/mlflow-protocol';
import { listDirectory } from './artifacts';
import { ArtifactStoreError } from '@trackstream/artifacts';
import { parseProxyTarget, toProxyError } from './artifact-proxy';
import { authorize } from './auth';
import { parseJsonBody, parseQuery } from './http';
import { sampleEvenly } from './metrics';
import { ROUTES, resolveRoute } from './routes';
import { contentEventId, readMetric, readParams, readTags } from './runs';

const code = (fn: () => unknown): string => {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof MlflowError) return `${e.code} ${e.status}`;
    throw e;
  }
};

describe('routes', () => {
  it('given either API prefix, then the same route; a trailing slash is the same path', () => {
    expect(resolveRoute('POST', '/api/2.0/mlflow/runs/log-batch')).toMatchObject({ kind: 'route', route: { path: 'runs/log-batch', access: 'write' } });
    expect(resolveRoute('GET', '/ajax-api/2.0/mlflow/runs/get/')).toMatchObject({ kind: 'route', route: { path: 'runs/get', access: 'read' } });
  });
  it('given a wrong method or an unknown path, then why', () => {
    expect(resolveRoute('GET', '/api/2.0/mlflow/runs/log-batch')).toEqual({ kind: 'wrong_method', allowed: ['POST'] });
    expect(resolveRoute('POST', '/api/2.0/mlflow/runs/nope')).toEqual({ kind: 'unknown' });
    expect(resolveRoute('GET', '/api/2.1/mlflow/runs/get')).toEqual({ kind: 'unknown' });
  });
  it('has one route per method and path', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('request parsing', () => {
  it('given a GET query string, then repeated keys are lists and single keys strings', () => {
    expect(parseQuery('?run_ids=a&run_ids=b&metric_key=m')).toEqual({ run_ids: ['a', 'b'], metric_key: 'm' });
    expect(parseQuery('?__proto__=x')).toEqual({ ['__proto__']: 'x' });
  });
  it('given bodies, then JSON objects pass; malformed, non-object and compressed bodies are refused by name', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'), undefined)).toEqual({ a: 1 });
    expect(parseJsonBody(Buffer.from('  '), undefined)).toEqual({});
    expect(code(() => parseJsonBody(Buffer.from('{"a":'), undefined))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => parseJsonBody(Buffer.from('[1]'), undefined))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => parseJsonBody(Buffer.from('{}'), 'gzip'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
  it('given metric messages, then fields are read by type; NaN and infinities survive', () => {
    expect(readMetric({ key: 'loss', value: 'NaN', timestamp: '5', step: 2 }, 'm')).toEqual({ key: 'loss', value: NaN, timestamp: 5, step: 2 });
    expect(readMetric({ key: 'x', value: '-Infinity', timestamp: 5 }, 'm')).toEqual({ key: 'x', value: -Infinity, timestamp: 5, step: 0 });
    expect(code(() => readMetric({ key: 'x', value: 1 }, 'm'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => readMetric({ key: 'a;b', value: 1, timestamp: 1 }, 'm'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
  it('given params and tags, then limits and duplicates are checked', () => {
    expect(readParams([{ key: 'a', value: '1' }, { key: 'a', value: '1' }], 'params')).toEqual({ a: '1' });
    expect(code(() => readParams([{ key: 'a', value: '1' }, { key: 'a', value: '2' }], 'params'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => readParams([{ key: 'a', value: 'v'.repeat(6001) }], 'params'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => readTags([{ key: 't', value: 'v'.repeat(5001) }], 'tags'))).toBe('INVALID_PARAMETER_VALUE 400');
    expect(code(() => readTags([{ key: '../t', value: 'v' }], 'tags'))).toBe('INVALID_PARAMETER_VALUE 400');
  });
});

const GOOD = `tsk_${'a'.repeat(43)}`;

describe('auth', () => {
  const grant = (project: string, role: 'reader' | 'writer' | 'admin') => ({ tokenId: 'tok', principal: 'ada', project, role, rateLimitPerSec: null });
  const validator = (g: ReturnType<typeof grant>) => ({ validate: (t: string) => { if (t !== GOOD) throw new MlflowError('UNAUTHENTICATED', 'bad'); return g; } });
  it('given auth off, then the configured project', () => {
    expect(authorize({ mode: 'off' }, undefined, 'default', 'write')).toEqual({ project: 'default', principal: 'mlflow' });
  });
  it("given a token, then its project; a '*' token the configured one", () => {
    expect(authorize({ mode: 'on', validator: validator(grant('vision', 'admin')) }, `Bearer ${GOOD}`, 'default', 'write')).toEqual({ project: 'vision', principal: 'ada' });
    expect(authorize({ mode: 'on', validator: validator(grant('*', 'admin')) }, `Bearer ${GOOD}`, 'default', 'read').project).toBe('default');
  });
  it('given no token or a role without the capability, then UNAUTHENTICATED / PERMISSION_DENIED', () => {
    expect(code(() => authorize({ mode: 'on', validator: validator(grant('v', 'admin')) }, undefined, 'd', 'read'))).toBe('UNAUTHENTICATED 401');
    expect(code(() => authorize({ mode: 'on', validator: validator(grant('v', 'admin')) }, 'Bearer nope', 'd', 'read'))).toBe('UNAUTHENTICATED 401');
    expect(code(() => authorize({ mode: 'on', validator: validator(grant('v', 'reader')) }, `Bearer ${GOOD}`, 'd', 'write'))).toBe('PERMISSION_DENIED 403');
  });
});

describe('metric sampling and artifact listing', () => {
  it('given more points than asked, then evenly spaced with both ends', () => {
    expect(sampleEvenly([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([1, 5, 9]);
    expect(sampleEvenly([1, 2], 5)).toEqual([1, 2]);
    expect(sampleEvenly([1, 2, 3], 1)).toEqual([3]);
  });
  it("given logged paths, then a directory's direct children with implied directories", () => {
    const art = (path: string, size_bytes: number | null) => ({ path, size_bytes, uri: `file:///${path}`, sha256: null, media_type: 'text/plain', logged_at: 0 });
    const files = [art('model/MLmodel', 10), art('model/data/w.bin', 99), art('plot.png', null)];
    expect(listDirectory(files, '')).toEqual([{ path: 'model', is_dir: true }, { path: 'plot.png', is_dir: false }]);
    expect(listDirectory(files, 'model/')).toEqual([{ path: 'model/MLmodel', is_dir: false, file_size: 10 }, { path: 'model/data', is_dir: true }]);
  });
});

describe('content event ids', () => {
  it('given the same points again (a retry), then the same id; other values, runs or kinds, other ids; NaN and Inf differ', () => {
    const p = [{ key: 'm', value: 1, step: 0, timestamp: 5 }];
    expect(contentEventId('metrics', 'r', p)).toBe(contentEventId('metrics', 'r', [{ ...p[0]! }]));
    expect(contentEventId('metrics', 'r', p)).not.toBe(contentEventId('metrics', 'r2', p));
    expect(contentEventId('metrics', 'r', p)).not.toBe(contentEventId('params', 'r', p));
    expect(contentEventId('metrics', 'r', [{ ...p[0]!, value: NaN }])).not.toBe(contentEventId('metrics', 'r', [{ ...p[0]!, value: Infinity }]));
    expect(contentEventId('metrics', 'r', [{ ...p[0]!, value: Infinity }])).not.toBe(contentEventId('metrics', 'r', [{ ...p[0]!, value: -Infinity }]));
  });
});

describe('artifact proxy targets', () => {
  const P = '/api/2.0/mlflow-artifacts/artifacts';
  it("given a run's mlflow-artifacts URL, then its run id and path, percent-decoded once", () => {
    expect(parseProxyTarget(`${P}/0/r1/artifacts/model/MLmodel`)).toEqual({ kind: 'file', runId: 'r1', path: 'model/MLmodel' });
    expect(parseProxyTarget(`${P}/7/r1/artifacts/a%20b.txt`)).toEqual({ kind: 'file', runId: 'r1', path: 'a b.txt' });
    expect(parseProxyTarget(`${P}?path=0/r1/artifacts`)).toEqual({ kind: 'list', runId: 'r1', dir: null });
    expect(parseProxyTarget(`${P}?path=0/r1/artifacts/model/`)).toEqual({ kind: 'list', runId: 'r1', dir: 'model' });
    expect(parseProxyTarget('/api/2.0/mlflow-artifacts/mpu/create/0/r1/artifacts/x')).toEqual({ kind: 'multipart' });
  });
  it('given a location that is not a run, a missing path or a bad encoding, then INVALID_PARAMETER_VALUE naming it', () => {
    for (const url of [`${P}/0/models/m-1/artifacts`, `${P}/0/r1/artifacts`, `${P}/0/r1/artifacts/%E0%A4`, `${P}?path=`, `${P}/0/r%001/artifacts/x`]) {
      expect(() => parseProxyTarget(url)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }));
    }
  });
  it("given the artifact core's refusals, then MLflow's codes: not found 404, store down 503, bad input 400", () => {
    expect(toProxyError(new ArtifactStoreError('ARTIFACT_NOT_FOUND', 'x'), 1)).toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST', status: 404 });
    expect(toProxyError(new ArtifactStoreError('STORE_UNAVAILABLE', 'x'), 2)).toMatchObject({ code: 'TEMPORARILY_UNAVAILABLE', retryAfterSeconds: 2 });
    expect(toProxyError(new ArtifactStoreError('CHECKSUM_MISMATCH', 'x'), 1)).toMatchObject({ code: 'INVALID_PARAMETER_VALUE', status: 400 });
  });
});
