import { decodeOffsetToken, encodeOffsetToken, invalid, mlflowMetric, proto } from '@trackstream/mlflow-protocol';
import type { HistoryPoint, StepRange } from '@trackstream/read-model';
import type { Caller } from './auth';
import type { Tracking } from './tracking';

type Message = proto.Message;
/** MLflow's page size of metric history (GET_METRIC_HISTORY_MAX_RESULTS). */
export const HISTORY_PAGE = 25_000;
export const BULK_MAX_RUNS = 100;
export const BULK_MAX_RESULTS = 2_500;
export const BULK_DEFAULT_RESULTS = 320;

/** Every point as logged in the step range (no downsampling: the caller samples). */
async function history(t: Tracking, caller: Caller, runId: string, key: string, range: StepRange): Promise<HistoryPoint[]> {
  const head = await t.runHead(caller, runId);
  await t.historyVisible(runId);
  return (await t.o.readModel.metricHistory(head.project, runId, key, Number.MAX_SAFE_INTEGER, range)).points;
}

export async function getHistory(t: Tracking, caller: Caller, m: Message) {
  const runId = proto.reqString(m, 'run_id', 'run_uuid');
  const key = proto.reqString(m, 'metric_key');
  const maxResults = proto.optInt(m, 'max_results') ?? HISTORY_PAGE;
  if (maxResults < 1 || maxResults > HISTORY_PAGE) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${HISTORY_PAGE}`);
  const query = { runId, key };
  const offset = decodeOffsetToken(proto.optString(m, 'page_token'), query);
  const head = await t.runHead(caller, runId);
  await t.historyVisible(runId);
  // One page from ClickHouse (LIMIT offset, n), so a long history is never loaded whole for one page.
  const page = await t.o.readModel.metricHistoryPage(head.project, runId, key, offset, maxResults);
  return { metrics: page.points.map((p) => mlflowMetric(key, p)), ...(page.more ? { next_page_token: encodeOffsetToken(offset + maxResults, query) } : {}) };
}

/** Evenly spaced points of a sorted list, the first and the last always among them (MLflow's sampling keeps both ends). */
export function sampleEvenly<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  if (n === 1) return [items[items.length - 1]!];
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(items[Math.round((i * (items.length - 1)) / (n - 1))]!);
  return out;
}

export async function getHistoryBulkInterval(t: Tracking, caller: Caller, m: Message) {
  const runIds = proto.stringList(m, 'run_ids');
  const key = proto.reqString(m, 'metric_key');
  if (runIds.length === 0) throw invalid(`Missing value for required parameter 'run_ids'.`);
  if (runIds.length > BULK_MAX_RUNS) throw invalid(`Invalid value for parameter 'run_ids': at most ${BULK_MAX_RUNS} runs, got ${runIds.length}`);
  const startStep = proto.optInt(m, 'start_step');
  const endStep = proto.optInt(m, 'end_step');
  if ((startStep === undefined) !== (endStep === undefined)) throw invalid(`'start_step' and 'end_step' go together: give both or neither`);
  if (startStep !== undefined && endStep !== undefined && startStep > endStep) throw invalid(`'start_step' (${startStep}) must not exceed 'end_step' (${endStep})`);
  const maxResults = proto.optInt(m, 'max_results') ?? BULK_DEFAULT_RESULTS;
  if (maxResults < 1 || maxResults > BULK_MAX_RESULTS) throw invalid(`Invalid value ${maxResults} for parameter 'max_results' supplied: it must be between 1 and ${BULK_MAX_RESULTS}`);
  const metrics = [];
  for (const runId of [...new Set(runIds)]) {
    const points = await history(t, caller, runId, key, { from: startStep === undefined ? null : BigInt(startStep), to: endStep === undefined ? null : BigInt(endStep) });
    for (const p of sampleEvenly(points, maxResults)) metrics.push(mlflowMetric(key, p, runId));
  }
  return { metrics };
}
