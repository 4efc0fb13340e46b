import type { Express, Request, Response } from 'express';
import { noopLogger, type Logger } from '@trackstream/telemetry';
import type { RouteContext } from './context';
import { QueryError } from './errors';
import { intParam, isId, isStorableText } from './params';
import type { HistoryPoint, RunView } from '@trackstream/read-model';
import { MAX_POINTS_LIMIT } from './routes';
import { registerSummaryRoute } from './summary-route';
import {
  SSE_HEARTBEAT,
  checkpointsMoved,
  decodeRunCursor,
  digestChanged,
  encodeRunCursor,
  seriesNeed,
  sseFrame,
  tailFor,
  type RunCursor,
  type RunDigest,
  type SeriesMark,
  type SeriesNow,
} from './stream-protocol';

/**
 * Live streams for the web UI (issue 16), fed from the projections, never from Kafka: one poller per process reads
 * both projectors' checkpoints (one small query per store per tick, however many streams are open, and none while
 * no stream is open); only when a checkpoint moved does it read what the open streams watch.
 *
 *   GET /v1/stream/runs/:run_id[?max_points=N]   events: `points` {key, kind: append|replace, downsampled, points},
 *                                                `run` {status, end_time, ...}
 *   GET /v1/stream/experiments/:id               events: `run` {run digest + latest metrics} for its most recently
 *                                                started runs
 *
 * A run stream sends each series first as a frame sized to a chart (`replace`, at most `max_points` points, default
 * `firstFramePoints`: min/max-preserving buckets above that, the read model's downsampling), then only the points
 * after the last step it sent (`append`), read from ClickHouse by step range, never the whole series again unless a
 * point lands at an earlier step (then the frame again). Zoomed charts fetch finer buckets from the history route.
 * Both send `: heartbeat` comments. A run stream's event ids are resume cursors (last step and count per key): a
 * reconnect with `Last-Event-ID` gets exactly what it missed. An experiment stream re-sends its runs' current state
 * on a reconnect (the client upserts them).
 */
export interface StreamOptionsRaw {
  /** The events topic whose checkpoints are polled (the API's eventsTopic). */
  topic: string;
  pollMs?: number;
  heartbeatMs?: number;
  /** Open streams at most (all kinds); one more is answered 503 + Retry-After. */
  maxStreams?: number;
  /** Runs an experiment stream follows (its most recently started). */
  experimentRuns?: number;
  /** Points of a run stream's first frame per series when the client asks no `max_points` (about a chart's width). */
  firstFramePoints?: number;
  logger?: Logger;
}

export interface StreamOptions {
  readonly topic: string;
  readonly pollMs: number;
  readonly heartbeatMs: number;
  readonly maxStreams: number;
  readonly experimentRuns: number;
  readonly firstFramePoints: number;
  readonly logger: Logger;
}

export function compileStreamOptions(raw: StreamOptionsRaw): StreamOptions {
  const o = {
    topic: raw.topic,
    pollMs: raw.pollMs ?? 200,
    heartbeatMs: raw.heartbeatMs ?? 15_000,
    maxStreams: raw.maxStreams ?? 500,
    experimentRuns: raw.experimentRuns ?? 200,
    firstFramePoints: raw.firstFramePoints ?? 1_200,
    logger: (raw.logger ?? noopLogger).child({ component: 'streams' }),
  };
  for (const k of ['pollMs', 'heartbeatMs', 'maxStreams', 'experimentRuns', 'firstFramePoints'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 1) throw new Error(`stream option ${k} must be a positive integer, got ${o[k]}`);
  }
  if (o.firstFramePoints > MAX_POINTS_LIMIT) throw new Error(`stream option firstFramePoints must be at most ${MAX_POINTS_LIMIT}, got ${o.firstFramePoints}`);
  return Object.freeze(o);
}

export interface StreamHub {
  /** Open streams now. */
  readonly open: number;
  close(): void;
}

interface RunSubscriber {
  res: Response;
  cursor: RunCursor;
  /** Points of a series' frame for this subscriber (its `max_points`). */
  framePoints: number;
  /** False while its first frames are being sent: the poller leaves it alone until then. */
  ready: boolean;
  /** Status, end time and metric counts last sent, so a `run` event goes out only when one of them changed. */
  lastState?: string;
}

interface RunWatch {
  runId: string;
  project: string;
  subscribers: Set<RunSubscriber>;
}

interface ExperimentSubscriber {
  res: Response;
  projects: string[] | null;
  seen: Map<string, RunDigest>;
}

interface ExperimentWatch {
  experimentId: string;
  subscribers: Set<ExperimentSubscriber>;
}

type Sent = (res: Response, chunk: string) => void;

/** How many series of a newly opened run stream are read from ClickHouse at once. */
const INITIAL_SERIES_READS = 4;

export function registerStreamRoutes(app: Express, ctx: RouteContext, raw: StreamOptionsRaw): StreamHub {
  const opts = compileStreamOptions(raw);
  registerSummaryRoute(app, ctx);
  const log = opts.logger;
  const runs = new Map<string, RunWatch>();
  const experiments = new Map<string, ExperimentWatch>();
  let open = 0;
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;
  let pgSeen: Map<number, bigint> | null = null;
  let chSeen: Map<number, bigint> | null = null;

  const send: Sent = (res, chunk) => {
    if (!res.writableEnded) res.write(chunk);
  };

  const startPolling = () => {
    if (timer !== null) return;
    timer = setInterval(() => void tick(), opts.pollMs);
    timer.unref();
  };
  const stopPollingIfIdle = () => {
    if (open > 0 || timer === null) return;
    clearInterval(timer);
    timer = null;
    pgSeen = null;
    chSeen = null;
  };

  async function tick(): Promise<void> {
    if (ticking) return; // a slow store: skip a tick rather than pile reads up
    ticking = true;
    try {
      const { postgres: pg, clickhouse: ch } = await ctx.read.checkpoints(opts.topic);
      const pgMoved = checkpointsMoved(pgSeen, pg);
      const chMoved = checkpointsMoved(chSeen, ch);
      pgSeen = pg;
      chSeen = ch;
      await Promise.all([chMoved ? pushPoints() : null, pgMoved ? pushRunStates() : null, pgMoved ? pushExperiments() : null]);
    } catch (err) {
      log.warn('stream poll failed', { err: (err as Error).message });
    } finally {
      ticking = false;
    }
  }

  /** New points of every watched run: one stats query for all of them, then, per series that moved, what each subscriber lacks. */
  async function pushPoints(): Promise<void> {
    if (runs.size === 0) return;
    const watches = [...runs.values()];
    const stats = await ctx.read.metricStats([...new Set(watches.map((w) => w.project))], watches.map((w) => w.runId), null);
    for (const w of watches) {
      const subs = [...w.subscribers].filter((sub) => sub.ready);
      for (const [key, s] of stats.get(w.runId) ?? []) await pushSeries(w, key, { count: s.count, lastStep: s.last_step }, subs);
    }
  }

  function sendPoints(sub: RunSubscriber, key: string, kind: 'append' | 'replace', downsampled: boolean, points: readonly HistoryPoint[]): void {
    send(sub.res, sseFrame({ id: encodeRunCursor(sub.cursor), event: 'points', data: { key, kind, downsampled, points } }));
  }

  function mark(sub: RunSubscriber, key: string, m: SeriesMark): void {
    sub.cursor = { ...sub.cursor, marks: { ...sub.cursor.marks, [key]: m } };
  }

  /**
   * One series to the subscribers given, the series being `now` (from the stats): the points after the last step
   * each was sent (one range read from the earliest of those steps), or its frame (one read per frame size).
   */
  async function pushSeries(w: RunWatch, key: string, now: SeriesNow, subs: readonly RunSubscriber[]): Promise<void> {
    const tails = subs.filter((sub) => seriesNeed(sub.cursor.marks[key], now) === 'tail');
    const frames = subs.filter((sub) => seriesNeed(sub.cursor.marks[key], now) === 'frame');
    if (tails.length > 0) {
      const from = Math.min(...tails.map((sub) => sub.cursor.marks[key]!.step)) + 1;
      const tail = await ctx.read.metricHistory(w.project, w.runId, key, MAX_POINTS_LIMIT, { from: BigInt(from), to: null });
      for (const sub of tails) {
        const t = tail.downsampled ? null : tailFor(sub.cursor.marks[key]!, tail.points, now.count);
        if (t === null) frames.push(sub); // more than a tail can say: the frame again
        else if (t.points.length > 0) {
          mark(sub, key, t.mark);
          sendPoints(sub, key, 'append', false, t.points);
        }
      }
    }
    const bySize = new Map<number, RunSubscriber[]>();
    for (const sub of frames) bySize.set(sub.framePoints, [...(bySize.get(sub.framePoints) ?? []), sub]);
    for (const [size, group] of bySize) {
      const series = await ctx.read.metricHistory(w.project, w.runId, key, size);
      const last = series.points[series.points.length - 1];
      if (last === undefined) continue; // not in ClickHouse yet: the frame goes out once it is
      // A raw frame counts itself; a downsampled one covers what the stats counted (a point that landed in between
      // makes the counts differ at the next tick: the frame once more, never a gap).
      const m = { step: last.step, count: series.downsampled ? now.count : series.points.length };
      for (const sub of group) {
        mark(sub, key, m);
        sendPoints(sub, key, 'replace', series.downsampled, series.points);
      }
    }
  }

  function runStateOf(run: RunView) {
    return { run_id: run.run_id, status: run.status, start_time: run.start_time, end_time: run.end_time, metrics: run.metrics, params: run.params, tags: run.tags };
  }

  async function pushRunStates(only?: { watch: RunWatch; sub: RunSubscriber }): Promise<void> {
    const watches = only ? [only.watch] : [...runs.values()];
    if (watches.length === 0) return;
    const loaded = await ctx.read.loadRuns(watches.map((w) => w.runId), null);
    const byId = new Map(loaded.map((r) => [r.run_id, r]));
    for (const w of watches) {
      const run = byId.get(w.runId);
      if (!run) continue;
      for (const sub of only ? [only.sub] : w.subscribers) {
        const state = JSON.stringify([run.status, run.end_time, Object.entries(run.metrics).map(([k, m]) => [k, m.count]), Object.keys(run.params).length, Object.keys(run.tags).length]);
        if (!only && sub.lastState === state) continue;
        sub.lastState = state;
        sub.cursor = { ...sub.cursor, status: run.status };
        send(sub.res, sseFrame({ id: encodeRunCursor(sub.cursor), event: 'run', data: runStateOf(run) }));
      }
    }
  }

  async function experimentRuns(experimentId: string, projects: string[] | null): Promise<RunView[]> {
    return ctx.read.recentRuns(experimentId, projects, opts.experimentRuns);
  }

  async function pushExperiment(w: ExperimentWatch, subs: Iterable<ExperimentSubscriber>): Promise<void> {
    // Subscribers with the same scope share one read.
    const byScope = new Map<string, ExperimentSubscriber[]>();
    for (const sub of subs) {
      const k = sub.projects === null ? '*' : JSON.stringify(sub.projects);
      byScope.set(k, [...(byScope.get(k) ?? []), sub]);
    }
    for (const group of byScope.values()) {
      const found = await experimentRuns(w.experimentId, group[0]!.projects);
      for (const sub of group) {
        for (const run of found) {
          const digest: RunDigest = {
            run_id: run.run_id,
            status: run.status,
            end_time: run.end_time,
            run_name: run.run_name,
            metric_counts: Object.fromEntries(Object.entries(run.metrics).map(([k, m]) => [k, m.count])),
          };
          if (!digestChanged(sub.seen.get(run.run_id), digest)) continue;
          sub.seen.set(run.run_id, digest);
          send(sub.res, sseFrame({ event: 'run', data: { run } }));
        }
      }
    }
  }

  async function pushExperiments(): Promise<void> {
    for (const w of experiments.values()) await pushExperiment(w, w.subscribers);
  }

  /** Opens the SSE response, counts it against the bound and arranges heartbeats and cleanup. */
  function openStream(req: Request, res: Response, onClose: () => void): void {
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    send(res, `retry: 1000\n\n`);
    open += 1;
    const heartbeat = setInterval(() => send(res, SSE_HEARTBEAT), opts.heartbeatMs);
    heartbeat.unref();
    let closed = false;
    req.on('close', () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      open -= 1;
      onClose();
      stopPollingIfIdle();
    });
    startPolling();
  }

  function admit(res: Response): void {
    if (open < opts.maxStreams) return;
    res.setHeader('Retry-After', '5');
    throw new QueryError('STREAMS_EXHAUSTED', `at most ${opts.maxStreams} live streams are open at once; retry later`);
  }

  app.get('/v1/stream/runs/:run_id', ctx.authorize, async (req, res) => {
    admit(res);
    const runId = req.params.run_id as string;
    // An id outside the id grammar cannot exist: unknown, answered before any SQL.
    if (!isId(runId)) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(runId.slice(0, 200))}`);
    const [run] = await ctx.read.loadRuns([runId], ctx.scope(res).projects);
    if (!run) throw new QueryError('RUN_NOT_FOUND', `no run ${JSON.stringify(runId)}`);
    let watch = runs.get(runId);
    if (!watch) {
      watch = { runId, project: run.project, subscribers: new Set() };
      runs.set(runId, watch);
    }
    const framePoints = intParam(req.query.max_points, 'max_points', opts.firstFramePoints, 1, MAX_POINTS_LIMIT);
    const sub: RunSubscriber = { res, cursor: decodeRunCursor(req.header('last-event-id')), framePoints, ready: false };
    const w = watch;
    openStream(req, res, () => {
      w.subscribers.delete(sub);
      if (w.subscribers.size === 0) runs.delete(runId);
    });
    w.subscribers.add(sub);
    // What the subscriber has not seen yet, at once: the run's state and each series beyond its cursor.
    await pushRunStates({ watch: w, sub });
    // Series are read a few at a time (a run page opens with all its charts at once), each sent as it arrives:
    // a frame each, or after a resume only what came after the cursor. The series as the run's latest metrics
    // (Postgres, already read) count them: if ClickHouse is ahead or behind, the poller's first tick, which reads
    // ClickHouse's own counts, sends the difference.
    const entries = Object.entries(run.metrics);
    const next = () => entries.shift();
    const reader = async (): Promise<void> => {
      for (let e = next(); e !== undefined; e = next()) await pushSeries(w, e[0], { count: e[1].count, lastStep: e[1].step }, [sub]);
    };
    await Promise.all(Array.from({ length: Math.min(INITIAL_SERIES_READS, entries.length) }, reader));
    // From now on the poller serves it; what landed while the frames were read goes out at its next tick.
    sub.ready = true;
    chSeen = null;
  });

  app.get('/v1/stream/experiments/:id', ctx.authorize, async (req, res) => {
    admit(res);
    const projects = ctx.scope(res).projects;
    // An id or name no store can hold (NUL, lone surrogate, overlong) is unknown: answered before any SQL.
    if (!isStorableText(req.params.id as string)) throw new QueryError('EXPERIMENT_NOT_FOUND', `no single experiment with id or name ${JSON.stringify((req.params.id as string).slice(0, 200))}`);
    const found = await ctx.read.findExperiments(req.params.id as string, null, projects);
    const experiment = found.experiments[0];
    if (!experiment || found.experiments.length > 1) throw new QueryError('EXPERIMENT_NOT_FOUND', `no single experiment with id or name ${JSON.stringify(req.params.id)}`);
    const experimentId = experiment.experiment_id;
    let watch = experiments.get(experimentId);
    if (!watch) {
      watch = { experimentId, subscribers: new Set() };
      experiments.set(experimentId, watch);
    }
    const w = watch;
    const sub: ExperimentSubscriber = { res, projects, seen: new Map() };
    openStream(req, res, () => {
      w.subscribers.delete(sub);
      if (w.subscribers.size === 0) experiments.delete(experimentId);
    });
    w.subscribers.add(sub);
    send(res, sseFrame({ event: 'experiment', data: { experiment } }));
    await pushExperiment(w, [sub]);
  });

  return {
    get open() {
      return open;
    },
    close() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
