import { InMemoryTokenStore, TokenValidator } from '@trackstream/auth';
import type { LineageRef, StoredEvent } from '@trackstream/events';
import { TestEvents } from '@trackstream/projection-core/testing';
import { createTestClickHouseDatabase, createTestPgSchema, endpointsFromEnv, uniqueName, type TestClickHouseDatabase, type TestPgSchema } from '@trackstream/testkit';
import { createQueryApi, type QueryApi } from './app';
import { seedProjections } from '@trackstream/query-api/testing';

/**
 * The lineage and collaboration reads over projections written by the real sinks (issue 18): a three-hop chain
 * answered both ways, a dataset used by 1,000 runs (paged), a cycle, bad input, notes in run detail and search, and
 * another project's graph and notes never shown.
 */
jest.setTimeout(120_000);
const TOPIC = uniqueName('qa-lineage-topic');
const N1 = '00000000-0000-4000-8000-0000000000c1';
const N2 = '00000000-0000-4000-8000-0000000000c2';

let pgSchema: TestPgSchema;
let chDb: TestClickHouseDatabase;
let api: QueryApi;
let authApi: QueryApi;
let base: string;
let authBase: string;
const store = new InMemoryTokenStore();
const validator = new TokenValidator(store, { refreshMs: 50 });
let readerA = '';

const ref = (kind: LineageRef['kind'], name: string, version: string | null = '1'): LineageRef => ({ kind, name, version, digest: null });

function seedEvents(): StoredEvent[] {
  const a = new TestEvents('proj-a');
  const b = new TestEvents('proj-b');
  const out: StoredEvent[] = [a.experimentCreated('exp-l')];
  // dataset d@1 → r1 → model m1@1 → r2 → model m2@1
  out.push(a.runStarted('exp-l', 'r1'), a.paramsLogged('exp-l', 'r1', { lr: '0.1' }), a.lineageRecorded('exp-l', 'r1', [ref('dataset', 'd')], [ref('model', 'm1')]));
  out.push(a.runStarted('exp-l', 'r2', { source: { git_commit: 'def456', git_branch: 'main', git_dirty: false, entry_point: 'ft.py', host: null } }));
  out.push(a.lineageRecorded('exp-l', 'r2', [ref('model', 'm1')], [ref('model', 'm2')]));
  out.push(a.artifactLogged('exp-l', 'r2', { path: 'eval/report.html', uri: 's3://bucket/r2/eval/report.html', sha256: 'e'.repeat(64) }));
  // a cycle: c1 → cm → c2 → cd → c1
  out.push(a.lineageRecorded('exp-l', 'c1', [ref('dataset', 'cd')], [ref('model', 'cm')]), a.lineageRecorded('exp-l', 'c2', [ref('model', 'cm')], [ref('dataset', 'cd')]));
  // a dataset used by 1,000 runs
  for (let i = 0; i < 1000; i++) out.push(a.lineageRecorded('exp-l', `wide-${String(i).padStart(4, '0')}`, [ref('dataset', 'big')]));
  // collaboration on r1 and on the experiment
  out.push(a.noteAdded('exp-l', 'r1', N1, '**lr** too high?', 'ada@lab'), a.noteEdited('exp-l', 'r1', N1, '**lr** fine', 'bob@lab'));
  out.push(a.annotationAdded('exp-l', 'r1', { annotation_id: N2, key: 'loss', step: 7, text: 'spike' }, 'ada@lab'), a.runStarred('exp-l', 'r1', true, 'ada@lab'), a.runPinned('exp-l', 'r1', true));
  out.push(a.noteAdded('exp-l', null, N2, 'sweep plan', 'ada@lab'), a.viewSaved('exp-l', { name: 'by loss', filter: 'metrics.loss < 1', order_by: ['metrics.loss ASC'], columns: ['params.lr'] }));
  // another project with the same dataset name and a note
  out.push(b.experimentCreated('exp-b'), b.runStarted('exp-b', 'rb'), b.lineageRecorded('exp-b', 'rb', [ref('dataset', 'd')], [ref('model', 'secret')]));
  out.push(b.noteAdded('exp-b', 'rb', '00000000-0000-4000-8000-0000000000c3', 'b only'));
  return out;
}

const get = async (url: string, token?: string) => {
  const res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as any };
};
const names = (nodes: { kind: string; name: string; depth: number }[]) => nodes.map((n) => `${n.kind}:${n.name}@${n.depth}`).sort();

beforeAll(async () => {
  pgSchema = await createTestPgSchema('qa_lineage');
  chDb = await createTestClickHouseDatabase('qa_lineage');
  await seedProjections({ pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, topic: TOPIC, events: seedEvents() });
  const opts = { pgUrl: endpointsFromEnv().pgUrl, pgSchema: pgSchema.schema, clickhouseUrl: chDb.url, eventsTopic: TOPIC, readYourWritesWaitMs: 300 };
  api = createQueryApi(opts);
  base = (await api.listen()).url;
  readerA = (await store.create({ principal: 'rita@lab', project: 'proj-a', role: 'reader' })).token;
  await validator.start();
  authApi = createQueryApi({ ...opts, auth: { mode: 'on', validator } });
  authBase = (await authApi.listen()).url;
});

afterAll(async () => {
  await api?.close();
  await authApi?.close();
  validator.stop();
  await pgSchema?.cleanup();
  await chDb?.cleanup();
});

describe('lineage (three hops, both ways)', () => {
  it('given dataset → run → model → run → model, when asking the provenance of the last model, then runs with commit and params, models, datasets', async () => {
    const { status, body } = await get(`${base}/v1/lineage/provenance/model/m2?version=1&project=proj-a`);
    expect(status).toBe(200);
    expect(names(body.runs)).toEqual(['run:r1@3', 'run:r2@1']);
    expect(names(body.models)).toEqual(['model:m1@2']);
    expect(names(body.datasets)).toEqual(['dataset:d@4']);
    expect(names(body.code)).toEqual(['code:abc123@4', 'code:def456@2']);
    const r1 = body.runs.find((r: any) => r.name === 'r1');
    expect(r1.run).toMatchObject({ run_id: 'r1', experiment_id: 'exp-l', source: { git_commit: 'abc123' }, params: { lr: '0.1' } });
    expect(body.next_page_token).toBeNull();
  });

  it('given the same chain, when asking the impact of the dataset, then every run and model downstream, transitively', async () => {
    const { body } = await get(`${base}/v1/lineage/impact/dataset/d?version=1&project=proj-a`);
    expect(names(body.runs)).toEqual(['run:r1@1', 'run:r2@3']);
    expect(names(body.models)).toEqual(['model:m1@2', 'model:m2@4']);
  });

  it('given an artifact a run logged, when asking its provenance by its percent-encoded uri, then the run and what the run came from', async () => {
    const { status, body } = await get(`${base}/v1/lineage/provenance/artifact/${encodeURIComponent('s3://bucket/r2/eval/report.html')}?depth=2`);
    expect(status).toBe(200);
    expect(body.roots).toEqual([expect.objectContaining({ kind: 'artifact', digest: 'e'.repeat(64) })]);
    expect(names(body.runs)).toEqual(['run:r2@1']);
    expect(names(body.models)).toEqual(['model:m1@2']);
  });

  it('given the middle model, when walking both ways one hop, then the producing and consuming runs with the edges between', async () => {
    const { body } = await get(`${base}/v1/lineage/nodes/model/m1?project=proj-a&direction=both&depth=1`);
    expect(names(body.nodes)).toEqual(['model:m1@0', 'run:r1@1', 'run:r2@1']);
    const id = (n: string) => body.nodes.find((x: any) => x.name === n).id;
    expect(body.edges).toEqual(expect.arrayContaining([{ from: id('r1'), to: id('m1'), relation: 'output' }, { from: id('m1'), to: id('r2'), relation: 'input' }]));
    expect(body.edges).toHaveLength(2);
    const down = await get(`${base}/v1/lineage/nodes/model/m1?project=proj-a&direction=downstream&depth=2`);
    expect(names(down.body.nodes)).toEqual(['artifact:s3://bucket/r2/eval/report.html@2', 'model:m1@0', 'model:m2@2', 'run:r2@1']);
  });
});

describe('lineage at width and with cycles', () => {
  it('given a dataset used by 1,000 runs, when its impact is paged by 400, then every run once over three pages', async () => {
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: any } = await get(`${base}/v1/lineage/impact/dataset/big?max_results=400${token === null ? '' : `&page_token=${token}`}`);
      expect(status).toBe(200);
      seen.push(...body.runs.map((r: any) => r.name));
      token = body.next_page_token;
      pages++;
    } while (token !== null);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(1000);
    expect(seen).toHaveLength(1000);
  });

  it('given a cycle, when walked far in both directions, then each node once at its shortest distance and each edge once', async () => {
    const { body } = await get(`${base}/v1/lineage/nodes/model/cm?direction=both&depth=10`);
    expect(names(body.nodes)).toEqual(['dataset:cd@2', 'model:cm@0', 'run:c1@1', 'run:c2@1']);
    expect(body.edges).toHaveLength(4);
    // Paged one node at a time: every edge once, on the page of its later end, after both ends are known.
    const seenNodes = new Set<string>();
    const edges: string[] = [];
    let token: string | null = null;
    do {
      const page: any = (await get(`${base}/v1/lineage/nodes/model/cm?direction=both&depth=10&max_results=1${token === null ? '' : `&page_token=${token}`}`)).body;
      for (const n of page.nodes) seenNodes.add(n.id);
      for (const e of page.edges) {
        expect(seenNodes.has(e.from) && seenNodes.has(e.to)).toBe(true);
        edges.push(`${e.from}>${e.to}`);
      }
      token = page.next_page_token;
    } while (token !== null);
    expect(seenNodes.size).toBe(4);
    expect(edges.sort()).toEqual(body.edges.map((e: any) => `${e.from}>${e.to}`).sort());
  });
});

describe('lineage bad input', () => {
  it.each([
    ['/v1/lineage/nodes/table/d', 400, 'LINEAGE_KIND_INVALID', 'kind'],
    ['/v1/lineage/nodes/dataset/d?depth=11', 400, 'BAD_REQUEST', 'depth'],
    ['/v1/lineage/nodes/dataset/d?depth=0', 400, 'BAD_REQUEST', 'depth'],
    ['/v1/lineage/nodes/dataset/d?direction=sideways', 400, 'BAD_REQUEST', 'direction'],
    ['/v1/lineage/impact/dataset/d?max_results=5001', 400, 'BAD_REQUEST', 'max_results'],
    ['/v1/lineage/impact/dataset/d?page_token=xyz', 400, 'PAGE_TOKEN_INVALID', 'page_token'],
    ['/v1/lineage/provenance/model/nope', 404, 'LINEAGE_NODE_NOT_FOUND', undefined],
  ])('given %s, then %i %s naming the field', async (path, status, code, field) => {
    const res = await get(base + path);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (field !== undefined) expect(res.body.error.details.field).toBe(field);
  });
});

describe('collaboration reads', () => {
  it('given notes, an annotation, a star and a pin on a run, when read, then run detail shows them with their authors', async () => {
    const { body } = await get(`${base}/v1/runs/r1`);
    expect(body.run.notes).toEqual([expect.objectContaining({ note_id: N1, author: 'ada@lab', text: '**lr** fine', edited_by: 'bob@lab' })]);
    expect(body.run.annotations).toEqual([expect.objectContaining({ annotation_id: N2, key: 'loss', step: 7, text: 'spike', author: 'ada@lab' })]);
    expect(body.run).toMatchObject({ stars: ['ada@lab'], pinned: true });
    const notes = await get(`${base}/v1/experiments/exp-l/notes`);
    expect(notes.body.notes).toEqual([expect.objectContaining({ note_id: N2, text: 'sweep plan' })]);
    const views = await get(`${base}/v1/experiments/exp-l/views`);
    expect(views.body.views).toEqual([expect.objectContaining({ name: 'by loss', filter: 'metrics.loss < 1', order_by: ['metrics.loss ASC'], columns: ['params.lr'] })]);
  });

  it('given runs with and without notes, when searching attributes.notes_count > 0, then only the noted run', async () => {
    const res = await fetch(`${base}/v1/runs/search`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_ids: ['exp-l'], filter: 'attributes.notes_count > 0', order_by: ['attributes.notes_count DESC'] }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.runs.map((r: any) => r.run_id)).toEqual(['r1']);
  });

  it("given a reader of proj-a, then proj-b's graph, runs and notes never show", async () => {
    const walk = await get(`${authBase}/v1/lineage/nodes/dataset/d?direction=downstream&depth=3`, readerA);
    expect(walk.status).toBe(200);
    expect(new Set(walk.body.nodes.map((n: any) => n.project))).toEqual(new Set(['proj-a']));
    expect(walk.body.nodes.map((n: any) => n.name)).not.toContain('secret');
    expect((await get(`${authBase}/v1/lineage/nodes/model/secret`, readerA)).status).toBe(404);
    expect((await get(`${authBase}/v1/runs/rb`, readerA)).status).toBe(404);
    expect((await get(`${authBase}/v1/experiments/exp-b/notes`, readerA)).status).toBe(404);
    expect((await get(`${authBase}/v1/runs/r1`, readerA)).body.run.notes).toHaveLength(1);
  });
});
