import type { proto } from '@trackstream/mlflow-protocol';
import { listArtifacts } from './artifacts';
import type { Access, Caller } from './auth';
import * as experiments from './experiments';
import { searchLoggedModels } from './logged-models';
import { getHistory, getHistoryBulkInterval } from './metrics';
import * as runs from './runs';
import type { Tracking } from './tracking';

export type { ExtraRoute } from './extra-route';

export type Handler = (t: Tracking, caller: Caller, m: proto.Message) => Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST';
  /** Under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/. */
  path: string;
  access: Access;
  handle: Handler;
}

/** MLflow's REST API 2.0 tracking surface (service.proto): one line per endpoint. */
export const ROUTES: readonly Route[] = [
  { method: 'POST', path: 'experiments/create', access: 'write', handle: experiments.createExperiment },
  { method: 'GET', path: 'experiments/get', access: 'read', handle: experiments.getExperiment },
  { method: 'GET', path: 'experiments/get-by-name', access: 'read', handle: experiments.getExperimentByName },
  { method: 'POST', path: 'experiments/search', access: 'read', handle: experiments.searchExperiments },
  { method: 'GET', path: 'experiments/search', access: 'read', handle: experiments.searchExperiments },
  { method: 'POST', path: 'experiments/update', access: 'write', handle: experiments.updateExperiment },
  { method: 'POST', path: 'experiments/delete', access: 'write', handle: experiments.deleteExperiment },
  { method: 'POST', path: 'experiments/restore', access: 'write', handle: experiments.restoreExperiment },
  { method: 'POST', path: 'experiments/set-experiment-tag', access: 'write', handle: experiments.setExperimentTag },
  { method: 'POST', path: 'experiments/delete-experiment-tag', access: 'write', handle: experiments.deleteExperimentTag },
  { method: 'POST', path: 'runs/create', access: 'write', handle: runs.createRun },
  { method: 'GET', path: 'runs/get', access: 'read', handle: runs.getRun },
  { method: 'POST', path: 'runs/update', access: 'write', handle: runs.updateRun },
  { method: 'POST', path: 'runs/delete', access: 'write', handle: runs.deleteRun },
  { method: 'POST', path: 'runs/restore', access: 'write', handle: runs.restoreRun },
  { method: 'POST', path: 'runs/search', access: 'read', handle: runs.searchRuns },
  { method: 'POST', path: 'runs/log-metric', access: 'write', handle: runs.logMetric },
  { method: 'POST', path: 'runs/log-parameter', access: 'write', handle: runs.logParam },
  { method: 'POST', path: 'runs/log-batch', access: 'write', handle: runs.logBatch },
  { method: 'POST', path: 'runs/set-tag', access: 'write', handle: runs.setTag },
  { method: 'POST', path: 'runs/delete-tag', access: 'write', handle: runs.deleteTag },
  { method: 'POST', path: 'runs/log-inputs', access: 'write', handle: runs.logInputs },
  { method: 'GET', path: 'metrics/get-history', access: 'read', handle: getHistory },
  { method: 'GET', path: 'metrics/get-history-bulk-interval', access: 'read', handle: getHistoryBulkInterval },
  { method: 'GET', path: 'artifacts/list', access: 'read', handle: listArtifacts },
  { method: 'POST', path: 'logged-models/search', access: 'read', handle: searchLoggedModels },
];

export const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'] as const;

export type Resolved = { kind: 'route'; route: Route } | { kind: 'wrong_method'; allowed: string[] } | { kind: 'unknown' };

/** Path (without query) and method → the route, or why there is none. */
export function resolveRoute(method: string, pathname: string, routes: readonly Route[] = ROUTES): Resolved {
  const prefix = API_PREFIXES.find((p) => pathname.startsWith(p));
  if (prefix === undefined) return { kind: 'unknown' };
  const path = pathname.slice(prefix.length).replace(/\/+$/, '');
  const candidates = routes.filter((r) => r.path === path);
  const route = candidates.find((r) => r.method === method);
  if (route) return { kind: 'route', route };
  return candidates.length > 0 ? { kind: 'wrong_method', allowed: candidates.map((r) => r.method) } : { kind: 'unknown' };
}
