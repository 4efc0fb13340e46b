// trackstream import-mlflow against MLflow's own server (sqlite, temp dir, from the project venv) that the real
// mlflow client populated; imported into a test-owned topic and schema with both projectors, read back through our
// MLflow-compatible server; a second import appends nothing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { startMlflowTestStack, type MlflowTestStack } from '@trackstream/mlflow-server/testing';
import { endpointsFromEnv, freePort } from '@trackstream/testkit';
import { runCli } from './cli';

jest.setTimeout(180_000);
const REPO = path.resolve(__dirname, '../../..');

// The source server's content, written through the real client: a deleted experiment, a deleted and a finished run,
// params, tags, a NaN point, and histories longer than --page-size.
const POPULATE = `
import json, math
from mlflow import MlflowClient
from mlflow.entities import Metric, Param, RunTag
c = MlflowClient()
a = c.create_experiment("imp-a", tags={"team": "vision"})
gone = c.create_experiment("imp-gone")
runs = []
for i in range(3):
    r = c.create_run(a, run_name=f"r{i}", tags={"k": str(i)})
    rid = r.info.run_id
    c.log_batch(rid, params=[Param("lr", str(i / 10))], tags=[RunTag("mlflow.note.content", "note")],
                metrics=[Metric("loss", float("nan") if s == 4 else 1.0 / (s + 1), 1000 + s, s) for s in range(5)])
    runs.append(rid)
c.set_terminated(runs[0], "FINISHED")
c.delete_run(runs[2])
g = c.create_run(gone, run_name="g0").info.run_id
c.log_param(g, "x", "1")
c.delete_experiment(gone)
print(json.dumps({"a": a, "gone": gone, "runs": runs, "g": g}))
`;

async function call(url: string, route: string, body: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${url}/api/2.0/mlflow/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

describe('trackstream import-mlflow (MLflow server → events → projections)', () => {
  let python: string;
  let dir: string;
  let source: ChildProcess;
  let sourceUrl: string;
  let stack: MlflowTestStack;
  let ids: { a: string; gone: string; runs: string[]; g: string };

  beforeAll(async () => {
    python = execFileSync('bash', [path.join(REPO, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-mlflow-'));
    const port = await freePort();
    sourceUrl = `http://127.0.0.1:${port}`;
    source = spawn(path.join(path.dirname(python), 'mlflow'), ['server', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--default-artifact-root', `${dir}/artifacts`,
      '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], { stdio: 'ignore', detached: true });
    const [started] = await Promise.all([
      (async () => {
        for (let i = 0; i < 240; i++) {
          if (await fetch(`${sourceUrl}/health`).then((r) => r.ok, () => false)) return true;
          await new Promise((r) => setTimeout(r, 500));
        }
        return false;
      })(),
      startMlflowTestStack({ prefix: 'impmlflow' }).then((s) => (stack = s)),
    ]);
    if (!started) throw new Error('mlflow server did not start');
    const out = execFileSync(python, ['-c', POPULATE], { encoding: 'utf8', env: { ...process.env, MLFLOW_TRACKING_URI: sourceUrl } });
    ids = JSON.parse(out.trim().split('\n').at(-1)!);
  });
  afterAll(async () => {
    if (source?.pid) process.kill(-source.pid, 'SIGTERM');
    await stack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function importOnce(): Promise<{ code: number; out: string[]; err: string }> {
    const e = endpointsFromEnv();
    const out: string[] = [];
    let err = '';
    const code = await runCli(['import-mlflow', '--from', sourceUrl, '--page-size', '2'], {
      TRACKSTREAM_KAFKA_BROKERS: e.kafkaBrokers.join(','), TRACKSTREAM_PG_URL: e.pgUrl, TRACKSTREAM_CLICKHOUSE_URL: e.clickhouseUrl,
      TRACKSTREAM_PG_SCHEMA: stack.pgSchema, TRACKSTREAM_EVENTS_TOPIC: stack.topic, TRACKSTREAM_AUTH: 'off', TRACKSTREAM_LOG_LEVEL: 'error',
    }, { out: (l) => out.push(l), err: { write: (s) => void (err += s) } });
    return { code, out, err };
  }

  async function logEnd(): Promise<number> {
    const admin = new Kafka({ brokers: endpointsFromEnv().kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      return (await admin.fetchTopicOffsets(stack.topic)).reduce((n, p) => n + Number(p.high), 0);
    } finally {
      await admin.disconnect();
    }
  }

  it('given a populated MLflow server, when imported twice, then the projections hold it once and the second import adds nothing', async () => {
    const first = await importOnce();
    expect(first.err).toMatch(/import-mlflow runs \[#+\] 100% 4\/4/);
    expect(first.out.join('\n')).toMatch(/3 experiment\(s\), 4 run\(s\) read; \d+ event\(s\) imported \(15 metric point\(s\)\), \d+ skipped .*, 0 refused/);
    expect(first.code).toBe(0);

    // Read back through the MLflow API of our server, once the projections caught up.
    let runs: any[] = [];
    for (let i = 0; i < 100 && runs.length < 3; i++) {
      runs = (await call(stack.url, 'runs/search', { experiment_ids: [ids.a], run_view_type: 'ALL' })).runs ?? [];
      if (runs.length < 3) await new Promise((r) => setTimeout(r, 200));
    }
    const byId = new Map(runs.map((r) => [r.info.run_id, r]));
    expect([...byId.keys()].sort()).toEqual([...ids.runs].sort());
    const r0 = byId.get(ids.runs[0]);
    expect(r0.info).toMatchObject({ run_name: 'r0', status: 'FINISHED', lifecycle_stage: 'active' });
    expect(byId.get(ids.runs[2]).info.lifecycle_stage).toBe('deleted');
    expect(r0.data.params).toEqual([{ key: 'lr', value: '0.0' }]);
    expect(Object.fromEntries(r0.data.tags.map((t: any) => [t.key, t.value]))).toMatchObject({ k: '0', 'mlflow.note.content': 'note', 'mlflow.runName': 'r0' });
    const hist: any = await (await fetch(`${stack.url}/api/2.0/mlflow/metrics/get-history?run_id=${ids.runs[1]}&metric_key=loss`)).json();
    expect(hist.metrics.map((m: any) => [m.step, m.value])).toEqual([[0, 1], [1, 0.5], [2, 1 / 3], [3, 0.25], [4, 'NaN']]);
    const exps = (await call(stack.url, 'experiments/search', { view_type: 'ALL', max_results: 100 })).experiments;
    expect(exps.map((e: any) => [e.name, e.lifecycle_stage]).sort()).toEqual([['Default', 'active'], ['imp-a', 'active'], ['imp-gone', 'deleted']]);
    expect(exps.find((e: any) => e.name === 'imp-a').tags).toEqual([{ key: 'team', value: 'vision' }]);
    const gone = (await call(stack.url, 'runs/search', { experiment_ids: [ids.gone], run_view_type: 'ALL' })).runs;
    expect(gone.map((r: any) => r.data.params)).toEqual([[{ key: 'x', value: '1' }]]);

    const before = await logEnd();
    const second = await importOnce();
    expect(second.code).toBe(0);
    expect(second.out.join('\n')).toMatch(/ 0 event\(s\) imported \(0 metric point\(s\)\), [1-9]\d* skipped/);
    expect(await logEnd()).toBe(before);
    expect((await call(stack.url, 'runs/search', { experiment_ids: [ids.a], run_view_type: 'ALL' })).runs).toHaveLength(3);
  });
});
