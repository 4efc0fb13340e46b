import { parseEvent } from '@trackstream/events';
import { defaultExperimentId } from '@trackstream/mlflow-protocol';
import { runCli } from './cli';
import { experimentDrafts, runDrafts } from './mlflow-import';

const run = {
  info: { run_id: 'a'.repeat(32), experiment_id: '7', run_name: 'r', user_id: 'ada', status: 'FINISHED', start_time: '1000', end_time: '2000', lifecycle_stage: 'deleted' },
  data: { params: [{ key: 'lr', value: '0.1' }], tags: [{ key: 'mlflow.parentRunId', value: 'p1' }, { key: 'k', value: 'v' }] },
};
const history = (n: number) => Array.from({ length: n }, (_, i) => ({ key: 'loss', value: i === 0 ? 'NaN' : i === 1 ? '-Infinity' : n - i, timestamp: String(5000 + i), step: String(n - i) }));

describe('MLflow import: events from MLflow entities', () => {
  it('given a run with a long history, then chunks of 1,000 points sorted by step, NaN and -Inf kept, every event valid', () => {
    const drafts = runDrafts(run, new Map([['loss', history(2500)]]), 'p');
    expect(drafts.map((d) => d.type)).toEqual(['run_started', 'params_logged', 'metrics_logged', 'metrics_logged', 'metrics_logged', 'run_updated', 'run_deleted']);
    const points = drafts.filter((d) => d.type === 'metrics_logged').map((d) => (d.payload as { points: { step: number; value: number }[] }).points);
    expect(points.map((c) => c.length)).toEqual([1000, 1000, 500]);
    expect(points.flat().map((p) => p.step)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(points[2]!.slice(-2).map((p) => p.value)).toEqual([-Infinity, NaN]);
    expect(drafts[0]!.payload).toMatchObject({ run_name: 'r', user: 'ada', parent_run_id: 'p1', start_time: 1000, tags: { k: 'v', 'mlflow.parentRunId': 'p1' } });
    for (const d of drafts) expect(parseEvent({ ...d, project: 'p', occurred_at: 1 }).ok).toBe(true);
  });

  it('given the same MLflow ids, then the same event ids; another project or run, other ids; a grown history keeps its full chunks', () => {
    const ids = (h: number, project = 'p', r = run) => runDrafts(r, new Map([['loss', history(h)]]), project).map((d) => d.event_id);
    expect(ids(1500)).toEqual(ids(1500));
    expect(new Set([...ids(1500), ...ids(1500, 'q')]).size).toBe(ids(1500).length * 2);
    expect(ids(1500, 'p', { ...run, info: { ...run.info, run_id: 'b'.repeat(32) } })).not.toContain(ids(1500)[0]);
    expect(ids(1800)[2]).toBe(ids(1500)[2]);
  });

  it("given MLflow's experiment 0, then the project's Default experiment; a deleted experiment, then its delete", () => {
    const [created, ...rest] = experimentDrafts({ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }, 'p');
    expect(created).toMatchObject({ type: 'experiment_created', experiment_id: defaultExperimentId('p'), payload: { name: 'Default' } });
    expect(rest).toEqual([]);
    expect(experimentDrafts({ experiment_id: '3', name: 'x', lifecycle_stage: 'deleted', tags: [{ key: 't', value: '1' }] }, 'p').map((d) => [d.type, d.experiment_id])).toEqual([
      ['experiment_created', '3'], ['experiment_deleted', '3'],
    ]);
  });
});

describe('trackstream import-mlflow: bad flags', () => {
  it.each([
    [[], /--from is required/],
    [['--from', 'mlflow:5000'], /not an http\(s\) URL/],
    [['--from', 'http://h:5000', '--page-size', '0'], /--page-size needs an integer from 1 to 1000/],
    [['--from', 'http://h:5000', '--project', 'bad name!'], /--project bad name! is not a project name/],
  ])('given %j, then exit 2 naming the problem, nothing connected', async (args, message) => {
    let err = '';
    const code = await runCli(['import-mlflow', ...args], { TRACKSTREAM_AUTH: 'off' }, { out: () => undefined, err: { write: (s) => void (err += s) } });
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});
