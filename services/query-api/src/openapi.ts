/**
 * The API's OpenAPI 3 description, written by hand next to the routes; openapi.unit.test.ts fails when a route of
 * the express app is missing here.
 */
const jsonNumber = { oneOf: [{ type: 'number' }, { type: 'string', enum: ['NaN', 'Infinity', '-Infinity'] }] };
const error = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: error } } });
const tokenHeader = {
  name: 'X-Trackstream-Token',
  in: 'header',
  required: false,
  description:
    'The token of a gateway write (202 answer). The read waits (bounded by TRACKSTREAM_QUERY_RYW_WAIT_MS) until the projections it reads cover those log positions; a bad token is a 400.',
  schema: { type: 'string' },
};
const staleHeader = {
  'X-Trackstream-Stale': {
    description: 'Present when a token was sent: "false" when the projections covered it, "true" when the wait ran out and the answer may miss the write.',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
};
const lineagePath = [
  { name: 'kind', in: 'path', required: true, schema: { type: 'string', enum: ['dataset', 'model', 'code', 'run', 'artifact'] } },
  { name: 'name', in: 'path', required: true, description: 'percent-encoded (a / is %2F); for run nodes the run id, for artifacts the uri', schema: { type: 'string' } },
  { name: 'version', in: 'query', schema: { type: 'string' } },
  { name: 'digest', in: 'query', schema: { type: 'string' } },
  { name: 'project', in: 'query', schema: { type: 'string' } },
];
const lineagePaging = (defaultDepth: number) => [
  { name: 'depth', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10, default: defaultDepth } },
  { name: 'max_results', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 5000, default: 500 } },
  { name: 'page_token', in: 'query', schema: { type: 'string' } },
];
const nodes = { type: 'array', items: { $ref: '#/components/schemas/LineageNode' } };
const lineageErrors = {
  '400': { description: 'LINEAGE_KIND_INVALID (unknown kind), BAD_REQUEST (depth beyond 1–10, direction, max_results, version/digest), PAGE_TOKEN_INVALID' },
  '404': { description: 'LINEAGE_NODE_NOT_FOUND (none in the caller\'s projects)' },
};
const ok = (schema: object, description = 'OK') => ({ description, headers: staleHeader, content: { 'application/json': { schema } } });

/** The answer of both audit timelines (a run's, an experiment's). */
const auditAnswer = ok({
            type: 'object',
            properties: {
              events: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    event_id: { type: 'string' }, type: { type: 'string' }, occurred_at: { type: 'integer' }, received_at: { type: 'integer' }, principal: { type: 'string' },
                    partition: { type: 'integer' }, offset: { type: 'string' }, changes: { type: 'array', items: { type: 'string' } }, conflict: { type: 'boolean' },
                  },
                },
              },
              next_page_token: { type: 'string', nullable: true },
            },
          });

/** Both audit timelines (a run's, an experiment's): one path parameter, the same paging and answer. */
function auditOperation(summary: string, pathParam: string, notFound: string) {
  return {
    summary,
    parameters: [
      tokenHeader,
      { name: pathParam, in: 'path', required: true, schema: { type: 'string' } },
      { name: 'max_results', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 200 } },
      { name: 'page_token', in: 'query', schema: { type: 'string' } },
    ],
    responses: {
      '200': auditAnswer,
      '400': errorResponse('BAD_REQUEST (max_results), PAGE_TOKEN_INVALID'),
      '404': errorResponse(notFound),
    },
  };
}

export const openApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'Trackstream query API',
    version: '1.0.0',
    description:
      'Read-only API over the Postgres and ClickHouse projections. Errors are {error: {code, message, details?}}. Non-finite metric values are the strings "NaN", "Infinity", "-Infinity".',
  },
  // With TRACKSTREAM_AUTH=on every /v1 route needs an API token with the read capability (see docs/security.md);
  // a run or experiment of a project the token cannot read answers exactly as one that does not exist (404).
  security: [{ bearer: [] }],
  paths: {
    '/healthz': { get: { security: [], summary: 'Liveness and store reachability', responses: { '200': { description: 'both stores answer' }, '503': { description: 'a store does not answer' } } } },
    '/metrics': { get: { security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI 3 document' } } } },
    '/v1/experiments': {
      get: {
        summary: 'List experiments by id (keyset pagination)',
        parameters: [
          tokenHeader,
          { name: 'project', in: 'query', schema: { type: 'string' } },
          { name: 'max_results', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'page_token', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          '200': ok({ type: 'object', properties: { experiments: { type: 'array', items: { $ref: '#/components/schemas/Experiment' } }, next_page_token: { type: 'string', nullable: true } } }),
          '400': errorResponse('BAD_REQUEST, PAGE_TOKEN_INVALID, TOKEN_INVALID'),
        },
      },
    },
    '/v1/experiments/{id}': {
      get: {
        summary: 'One experiment by id, or by name when no id matches',
        description: 'Names are unique only within a project: when several projects have an experiment of that name the answer is 409 EXPERIMENT_AMBIGUOUS listing the candidates; pass ?project= to choose.',
        parameters: [tokenHeader, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }, { name: 'project', in: 'query', schema: { type: 'string' } }],
        responses: {
          '200': ok({ type: 'object', properties: { experiment: { $ref: '#/components/schemas/Experiment' } } }),
          '404': errorResponse('EXPERIMENT_NOT_FOUND'),
          '409': errorResponse('EXPERIMENT_AMBIGUOUS'),
        },
      },
    },
    '/v1/runs/{run_id}': {
      get: {
        summary: 'One run with params, tags, latest metrics, artifacts and lineage',
        parameters: [tokenHeader, { name: 'run_id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': ok({ type: 'object', properties: { run: { $ref: '#/components/schemas/Run' } } }), '404': errorResponse('RUN_NOT_FOUND') },
      },
    },
    '/v1/runs/search': {
      post: {
        summary: "Search runs with MLflow's filter syntax plus OR, NOT and parentheses",
        parameters: [tokenHeader],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['experiment_ids'],
                properties: {
                  experiment_ids: { type: 'array', items: { type: 'string' }, minItems: 1 },
                  projects: { type: 'array', items: { type: 'string' } },
                  filter: { type: 'string', example: "metrics.val_acc > 0.9 AND params.lr = '0.01'" },
                  order_by: { type: 'array', items: { type: 'string' }, example: ['metrics.val_acc DESC'] },
                  max_results: { type: 'integer', minimum: 1, maximum: 1000 },
                  page_token: { type: 'string' },
                },
              },
            },
          },
        },
        responses: {
          '200': ok({ type: 'object', properties: { runs: { type: 'array', items: { $ref: '#/components/schemas/Run' } }, next_page_token: { type: 'string', nullable: true } } }),
          '400': errorResponse('FILTER_INVALID / ORDER_BY_INVALID (details: position, expected), PAGE_TOKEN_INVALID, MAX_RESULTS_INVALID, BAD_REQUEST'),
        },
      },
    },
    '/v1/runs/compare': {
      post: {
        summary: 'Params side by side and per-metric summaries of up to 100 runs, with the best run per metric',
        description:
          'Best = the run whose last value (highest step) is lowest for goal "min", highest for "max"; NaN never wins; ties go to the earlier run in run_ids. The goal is metric_goals[key], else "min" for keys naming a loss, error or cost (loss, err, mse, mae, rmse, perplexity, latency, duration, time, cost, regret, wer, cer) and "max" otherwise.',
        parameters: [tokenHeader],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['run_ids'],
                properties: {
                  run_ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 },
                  metric_keys: { type: 'array', items: { type: 'string' } },
                  metric_goals: { type: 'object', additionalProperties: { type: 'string', enum: ['min', 'max'] } },
                },
              },
            },
          },
        },
        responses: {
          '200': ok({
            type: 'object',
            properties: {
              runs: { type: 'array', items: { type: 'object' } },
              params: { type: 'object', additionalProperties: { type: 'object', additionalProperties: { type: 'string', nullable: true } } },
              metrics: {
                type: 'object',
                additionalProperties: {
                  type: 'object',
                  properties: {
                    goal: { type: 'string', enum: ['min', 'max'] },
                    best_run_id: { type: 'string', nullable: true },
                    best_value: jsonNumber,
                    runs: { type: 'object', additionalProperties: { type: 'object', nullable: true, properties: { last: jsonNumber, last_step: { type: 'integer' }, min: jsonNumber, max: jsonNumber, mean: jsonNumber, count: { type: 'integer' } } } },
                  },
                },
              },
            },
          }),
          '400': errorResponse('BAD_REQUEST'),
          '404': errorResponse('RUN_NOT_FOUND (details.missing)'),
        },
      },
    },
    '/v1/runs/{run_id}/metrics/{key}': {
      get: {
        summary: 'Metric history from ClickHouse, downsampled into at most max_points step buckets keeping each bucket min and max; min_step/max_step (inclusive) limit it to a zoomed span, bucketed over that span only',
        parameters: [
          tokenHeader,
          { name: 'run_id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'key', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'max_points', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 } },
          { name: 'min_step', in: 'query', schema: { type: 'integer' } },
          { name: 'max_step', in: 'query', schema: { type: 'integer' } },
        ],
        responses: {
          '200': ok({
            type: 'object',
            properties: {
              points: { type: 'array', items: { type: 'object', properties: { step: { type: 'integer' }, value: jsonNumber, timestamp: { type: 'integer' }, min: jsonNumber, max: jsonNumber } } },
              downsampled: { type: 'boolean' },
            },
          }),
          '400': errorResponse('BAD_REQUEST (max_points, min_step, max_step)'),
          '404': errorResponse('RUN_NOT_FOUND'),
        },
      },
    },
    '/v1/runs/{run_id}/events': {
      get: auditOperation("A run's audit timeline from the projections: each event once, in log order, with who (principal), when (occurred_at, received_at), where (partition, offset) and what it changed (changes; conflict for a param logged again with another value)", 'run_id', 'RUN_NOT_FOUND'),
    },
    '/v1/experiments/{id}/events': {
      get: auditOperation("An experiment's own audit timeline (experiment-level events: created, renamed, tags set/deleted, deleted/restored), by experiment id; same shape and paging as a run's", 'id', 'EXPERIMENT_NOT_FOUND'),
    },
    '/v1/experiments/summaries': {
      post: {
        summary: 'Run count, running runs and last activity per experiment (the UI experiments list)',
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['experiment_ids'], properties: { experiment_ids: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 1000 } } } } } },
        responses: { '200': ok({ type: 'object', properties: { summaries: { type: 'object' } } }), '400': errorResponse('BAD_REQUEST') },
      },
    },
    '/v1/lineage/nodes/{kind}/{name}': {
      get: {
        summary: 'Walk the lineage graph from every node of that kind and name: nodes (each once, at its shortest distance) and the traversed edges (each once over all pages, on the page of its later endpoint)',
        parameters: [tokenHeader, ...lineagePath, { name: 'direction', in: 'query', schema: { type: 'string', enum: ['upstream', 'downstream', 'both'], default: 'both' } }, ...lineagePaging(3)],
        responses: {
          '200': ok({ type: 'object', properties: { roots: nodes, nodes, edges: { type: 'array', items: { $ref: '#/components/schemas/LineageEdge' } }, next_page_token: { type: 'string', nullable: true } } }),
          ...lineageErrors,
        },
      },
    },
    '/v1/lineage/impact/{kind}/{name}': {
      get: {
        summary: 'Impact: every run and model downstream of the node (what consumed dataset X@V, transitively)',
        parameters: [tokenHeader, ...lineagePath, ...lineagePaging(10)],
        responses: { '200': ok({ type: 'object', properties: { roots: nodes, runs: nodes, models: nodes, next_page_token: { type: 'string', nullable: true } } }), ...lineageErrors },
      },
    },
    '/v1/lineage/provenance/{kind}/{name}': {
      get: {
        summary: 'Provenance: everything upstream of the node (what produced model Y: runs with their code commit and params, datasets, code)',
        parameters: [tokenHeader, ...lineagePath, ...lineagePaging(10)],
        responses: {
          '200': ok({ type: 'object', properties: { roots: nodes, runs: nodes, datasets: nodes, models: nodes, code: nodes, artifacts: nodes, edges: { type: 'array', items: { $ref: '#/components/schemas/LineageEdge' } }, next_page_token: { type: 'string', nullable: true } } }),
          ...lineageErrors,
        },
      },
    },
    '/v1/experiments/{id}/notes': {
      get: {
        summary: "The experiment's own notes (live, oldest first); a run's notes come with the run",
        parameters: [tokenHeader, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': ok({ type: 'object', properties: { notes: { type: 'array', items: { $ref: '#/components/schemas/Note' } } } }), '404': errorResponse('EXPERIMENT_NOT_FOUND') },
      },
    },
    '/v1/experiments/{id}/views': {
      get: {
        summary: "The experiment's saved views (named filter, order and columns of its runs table)",
        parameters: [tokenHeader, { name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': ok({ type: 'object', properties: { views: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, filter: { type: 'string', nullable: true }, order_by: { type: 'array', items: { type: 'string' } }, columns: { type: 'array', items: { type: 'string' } }, author: { type: 'string' }, updated_at: { type: 'integer' } } } } } }),
          '404': errorResponse('EXPERIMENT_NOT_FOUND'),
        },
      },
    },
    '/v1/stream/runs/{run_id}': {
      get: {
        summary:
          'Server-Sent Events of one run: `points` {key, kind: append|replace, downsampled, points} (first a frame of each series of at most max_points points, min/max buckets above that, then only the points after the last step sent) and `run` (state); ids are resume cursors for Last-Event-ID',
        parameters: [
          { name: 'run_id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'max_points', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 10000, default: 1200 } },
          { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
        ],
        responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '400': errorResponse('BAD_REQUEST'), '404': errorResponse('RUN_NOT_FOUND'), '503': errorResponse('STREAMS_EXHAUSTED (Retry-After)') },
      },
    },
    '/v1/stream/experiments/{id}': {
      get: {
        summary: 'Server-Sent Events of an experiment: `experiment`, then `run` {run} for its most recently started runs whenever one changes',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '404': errorResponse('EXPERIMENT_NOT_FOUND'), '503': errorResponse('STREAMS_EXHAUSTED (Retry-After)') },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: "API token ('tsk_…'), `Authorization: Bearer <token>`; not needed when the API runs with TRACKSTREAM_AUTH=off" },
    },
    schemas: {
      Error: {
        type: 'object',
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} } } },
      },
      Experiment: {
        type: 'object',
        properties: {
          experiment_id: { type: 'string' },
          project: { type: 'string' },
          name: { type: 'string', nullable: true },
          description: { type: 'string', nullable: true },
          created_at: { type: 'integer', nullable: true },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      Run: {
        type: 'object',
        properties: {
          run_id: { type: 'string' },
          experiment_id: { type: 'string' },
          project: { type: 'string' },
          run_name: { type: 'string', nullable: true },
          status: { type: 'string', nullable: true, enum: ['RUNNING', 'FINISHED', 'FAILED', 'KILLED', null] },
          start_time: { type: 'integer', nullable: true },
          end_time: { type: 'integer', nullable: true },
          user: { type: 'string', nullable: true },
          parent_run_id: { type: 'string', nullable: true },
          source: { type: 'object' },
          params: { type: 'object', additionalProperties: { type: 'string' } },
          param_conflicts: { type: 'object', description: 'Later different values of an immutable param, kept visible', additionalProperties: { type: 'array', items: { type: 'object' } } },
          tags: { type: 'object', additionalProperties: { type: 'string' } },
          metrics: {
            type: 'object',
            additionalProperties: { type: 'object', properties: { value: jsonNumber, step: { type: 'integer' }, timestamp: { type: 'integer' }, min: jsonNumber, max: jsonNumber, count: { type: 'integer' } } },
          },
          artifacts: { type: 'array', items: { type: 'object' } },
          lineage: { type: 'object', properties: { inputs: { type: 'array', items: { type: 'object' } }, outputs: { type: 'array', items: { type: 'object' } } } },
          notes: { type: 'array', items: { $ref: '#/components/schemas/Note' } },
          annotations: { type: 'array', items: { type: 'object', properties: { annotation_id: { type: 'string' }, key: { type: 'string' }, step: { type: 'integer' }, text: { type: 'string' }, author: { type: 'string' }, created_at: { type: 'integer' } } } },
          stars: { type: 'array', description: 'principals who starred the run', items: { type: 'string' } },
          pinned: { type: 'boolean' },
        },
      },
      Note: {
        type: 'object',
        properties: { note_id: { type: 'string' }, author: { type: 'string' }, text: { type: 'string', description: 'markdown' }, created_at: { type: 'integer' }, updated_at: { type: 'integer' }, edited_by: { type: 'string', nullable: true } },
      },
      LineageNode: {
        type: 'object',
        properties: {
          id: { type: 'string' }, project: { type: 'string' }, kind: { type: 'string', enum: ['dataset', 'model', 'code', 'run', 'artifact'] }, name: { type: 'string' },
          version: { type: 'string', nullable: true }, digest: { type: 'string', nullable: true }, depth: { type: 'integer' },
          run: { type: 'object', description: 'run nodes: run_id, experiment_id, run_name, status, start_time, end_time, user, source (git_commit, …); params in provenance' },
        },
      },
      LineageEdge: { type: 'object', properties: { from: { type: 'string' }, to: { type: 'string' }, relation: { type: 'string', enum: ['input', 'output', 'artifact', 'code', 'parent'] } } },
    },
  },
} as const;

// Every /v1 operation can be refused by access control.
for (const [path, operations] of Object.entries(openApiDocument.paths)) {
  if (!path.startsWith('/v1/')) continue;
  for (const operation of Object.values(operations) as { responses: Record<string, unknown> }[]) {
    operation.responses['401'] ??= errorResponse('UNAUTHENTICATED: no usable API token (details.reason: TOKEN_MISSING, TOKEN_MALFORMED, TOKEN_UNKNOWN, TOKEN_REVOKED, TOKEN_EXPIRED)');
    operation.responses['403'] ??= errorResponse('FORBIDDEN: the token may not read (e.g. a writer token)');
    operation.responses['503'] ??= errorResponse('STORE_UNAVAILABLE or AUTH_UNAVAILABLE (tokens cannot be checked): retry later');
  }
}
