// Lineage benchmark: the built query API (services/query-api/dist) in process, over a Postgres lineage graph of
// 100,000 nodes and 300,000 edges loaded through the real projection (PostgresSink.apply of run_started and
// lineage_recorded events, 1,000 per batch, as the projector would):
//   40,000 runs in 10 generations, each with a code commit (2,000 commits), 5–6 inputs (generation 0: base datasets;
//   later: 2 base datasets and 3–4 models of the previous generation) and one output model → 40,000 models,
//   18,000 base datasets; edges 40,000 code + 220,000 input + 40,000 output.
//   provenance: GET /v1/lineage/provenance/model/:name?depth=3 (runs with params and commit, datasets, code)
//   impact:     GET /v1/lineage/impact/dataset/:name?depth=3 (every run and model downstream)
// Roots are drawn at random (fixed seed) among the models of generations 3–9 and the base datasets.
// Schema `bench_lineage` is reused when it holds the graph. Usage: npm run bench:lineage
//   (env: TRACKSTREAM_PG_URL / _CLICKHOUSE_URL, BENCH_ITERATIONS=200, BENCH_RESEED=1)
import os from 'node:os';
import { createRequire } from 'node:module';
import { percentile } from '../lib/stats.cjs';

const require = createRequire(import.meta.url);
const { Pool } = require('pg');
const { PostgresSink } = require('@trackstream/postgres');
const { TestEvents, batchOf } = require('@trackstream/projection-core/testing');
const { createQueryApi } = require('@trackstream/query-api');

const PG_URL = process.env.TRACKSTREAM_PG_URL ?? 'postgres://trackstream:trackstream@127.0.0.1:5432/trackstream';
const CH_URL = process.env.TRACKSTREAM_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123/trackstream';
const SCHEMA = 'bench_lineage';
const TOPIC = 'bench-lineage';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200);
const RUNS = 40_000;
const GENERATIONS = 10;
const PER_GEN = RUNS / GENERATIONS;
const DATASETS = 18_000;
const COMMITS = 2_000;
const NODES = RUNS * 2 + DATASETS + COMMITS;
const EDGES = RUNS * 2 + RUNS * 5.5;

const log = (...a) => process.stdout.write(a.join(' ') + '\n');

/** A small deterministic generator (LCG), so every seed builds the same graph and draws the same roots. */
function rng(seed) {
  let x = seed >>> 0;
  return (n) => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x % n;
  };
}

const pad = (i) => String(i).padStart(5, '0');
const model = (i) => ({ kind: 'model', name: `model-${pad(i)}`, version: '1', digest: null });
const dataset = (i) => ({ kind: 'dataset', name: `ds-${pad(i)}`, version: '2026.1', digest: null });

function* graphEvents() {
  const ev = new TestEvents('bench', 1_763_900_000_000);
  const pick = rng(20261207);
  // The first picks cover every base dataset and commit once, so the node count is exact; later picks are random.
  let basePicks = 0;
  const baseDataset = () => dataset(basePicks < DATASETS ? basePicks++ : pick(DATASETS));
  for (let i = 0; i < RUNS; i++) {
    const gen = Math.floor(i / PER_GEN);
    const run = `lrun-${pad(i)}`;
    const exp = `lexp-${gen}`;
    yield ev.runStarted(exp, run, { source: { git_commit: `c${String(i < COMMITS ? i : pick(COMMITS)).padStart(39, '0')}`, git_branch: 'main', git_dirty: false, entry_point: 'train.py', host: null } });
    const want = 5 + (i % 2);
    const inputs = new Map();
    const base = gen === 0 ? want : 2;
    while (inputs.size < base) { const d = baseDataset(); inputs.set(d.name, d); }
    while (inputs.size < want) { const m = model((gen - 1) * PER_GEN + pick(PER_GEN)); inputs.set(m.name, m); }
    yield ev.lineageRecorded(exp, run, [...inputs.values()], [model(i)]);
    if (i % 10 === 0) yield ev.paramsLogged(exp, run, { lr: String(0.1 / (1 + (i % 7))), layers: String(2 + (i % 5)) });
  }
}

async function seed(pool) {
  const sink = new PostgresSink({ connectionString: PG_URL, schema: SCHEMA });
  await sink.setup();
  const s = `"${SCHEMA}"`;
  const count = async () => (await pool.query(`SELECT (SELECT count(*) FROM ${s}.lineage_nodes)::int AS n, (SELECT count(*) FROM ${s}.lineage_edges)::int AS e`)).rows[0];
  const before = await count();
  if (before.n === NODES && before.e === EDGES && !process.env.BENCH_RESEED) {
    await sink.close();
    return { how: 'reused', ...before };
  }
  for (const t of ['experiments', 'runs', 'params', 'lineage', 'lineage_nodes', 'lineage_edges', 'projector_checkpoints', 'projector_applied_events']) await pool.query(`TRUNCATE ${s}.${t}`);
  const t0 = Date.now();
  let batch = [];
  let offset = 0;
  for (const e of graphEvents()) {
    batch.push(e);
    if (batch.length === 1000) {
      await sink.apply(batchOf(TOPIC, 0, batch, offset));
      offset += batch.length;
      batch = [];
    }
  }
  if (batch.length > 0) await sink.apply(batchOf(TOPIC, 0, batch, offset));
  offset += batch.length;
  await sink.close();
  const secs = (Date.now() - t0) / 1000;
  await pool.query(`ANALYZE ${s}.lineage_nodes, ${s}.lineage_edges, ${s}.runs, ${s}.params`);
  return { how: `seeded through PostgresSink.apply: ${offset} events in ${secs.toFixed(1)} s (${Math.round(offset / secs)} events/s)`, ...(await count()) };
}

async function measure(name, paths, get, iterations = ITERATIONS) {
  for (const p of paths.slice(0, 3)) await get(p);
  const times = [];
  let sizes = 0;
  for (let i = 0; i < iterations; i++) {
    const t = process.hrtime.bigint();
    const body = await get(paths[i % paths.length]);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    sizes += body.size;
  }
  times.sort((a, b) => a - b);
  const r = { name, p50: percentile(times, 50), p95: percentile(times, 95), max: times.at(-1), nodes: sizes / iterations, iterations };
  log(`${`${name} ×${iterations}`.padEnd(58)} p50 ${r.p50.toFixed(1).padStart(6)} ms   p95 ${r.p95.toFixed(1).padStart(6)} ms   max ${r.max.toFixed(1).padStart(6)} ms   ~${r.nodes.toFixed(0)} nodes/answer`);
  return r;
}

async function main() {
  const pool = new Pool({ connectionString: PG_URL, max: 2 });
  log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; shared local stack`);
  const seeded = await seed(pool);
  log(`graph: ${seeded.n} nodes, ${seeded.e} edges (${seeded.how})`);
  if (seeded.n !== NODES || seeded.e !== EDGES) throw new Error(`expected ${NODES} nodes and ${EDGES} edges`);
  await pool.end();

  const api = createQueryApi({ pgUrl: PG_URL, pgSchema: SCHEMA, clickhouseUrl: CH_URL, eventsTopic: TOPIC, readYourWritesWaitMs: 1000 });
  const { url } = await api.listen();
  const get = async (path) => {
    const res = await fetch(url + path);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    const body = await res.json();
    const size = Object.entries(body).filter(([k, v]) => k !== 'roots' && k !== 'edges' && Array.isArray(v)).reduce((n, [, v]) => n + v.length, 0);
    return { body, size };
  };
  const pick = rng(7);
  const models = Array.from({ length: 500 }, () => `model-${pad(3 * PER_GEN + pick(RUNS - 3 * PER_GEN))}`);
  const datasets = Array.from({ length: 500 }, () => `ds-${pad(pick(DATASETS))}`);

  // The answers are what the graph says: a model's provenance has its run, the run's commit and inputs.
  const check = (await get(`/v1/lineage/provenance/model/${models[0]}?depth=3`)).body;
  if (check.runs.length < 2 || check.code.length < 1 || !check.runs.some((r) => r.run?.source.git_commit)) throw new Error('provenance is incomplete');
  const impact = (await get(`/v1/lineage/impact/dataset/${datasets[0]}?depth=3`)).body;
  if (impact.runs.length < 1 || impact.models.length < 1) throw new Error('impact is empty');

  log(`${ITERATIONS} iterations each, sequential, over HTTP to the in-process API (roots drawn from 500 each):`);
  const results = [
    await measure('provenance of a model, 3 hops', models.map((m) => `/v1/lineage/provenance/model/${m}?depth=3`), get),
    await measure('impact of a dataset, 3 hops', datasets.map((d) => `/v1/lineage/impact/dataset/${d}?version=2026.1&depth=3`), get),
    await measure('walk both ways from a model, 3 hops (nodes + edges)', models.map((m) => `/v1/lineage/nodes/model/${m}?direction=both&depth=3`), get),
    await measure('provenance of a model, 10 hops (first page of 500)', models.slice(0, 50).map((m) => `/v1/lineage/provenance/model/${m}?depth=10`), get),
    await measure('impact of a dataset, 10 hops (first page of 500)', datasets.slice(0, 50).map((d) => `/v1/lineage/impact/dataset/${d}?depth=10`), get, 20),
  ];
  await api.close();
  for (const r of results.slice(0, 2)) log(`${r.name}: p95 ${r.p95.toFixed(1)} ms vs target 100 ms → ${r.p95 < 100 ? 'met' : `MISSED by ${(r.p95 - 100).toFixed(1)} ms`}`);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
