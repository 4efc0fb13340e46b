import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { analystExamples, checkpointsQuery, runMetricSummariesQuery } from './queries';
import { ddlStatements } from './schema';

describe('query templates', () => {
  it('inlines the topic as a literal', () => {
    expect(checkpointsQuery('db', "t'; DROP TABLE x; --").text).toContain("WHERE topic = 't\\'; DROP TABLE x; --'");
  });

  it('filters summaries inside the aggregation, with every run id and key inlined as a literal', () => {
    const q = runMetricSummariesQuery('db', { project: 'p', runIds: ['a', "b'"], keys: ['loss'] }).text;
    expect(q).toContain("WHERE project = 'p' AND run_id IN ('a', 'b\\'') AND key IN ('loss')\nGROUP BY project, run_id, key");
  });

  it('turns empty run or key lists into an always-false filter rather than invalid SQL', () => {
    expect(runMetricSummariesQuery('db', { project: 'p', runIds: [] }).text).toContain("WHERE project = 'p' AND 0 AND 1");
    expect(runMetricSummariesQuery('db', { project: 'p', runIds: ['a'], keys: [] }).text).toContain("AND run_id IN ('a') AND 0");
  });
});

describe('docs/clickhouse.md', () => {
  const doc = readFileSync(path.resolve(__dirname, '../../../docs/clickhouse.md'), 'utf8');

  it.each(Object.entries(analystExamples('trackstream')))('shows the tested example %s verbatim', (_name, query) => {
    expect(doc).toContain('```sql\n' + query.text + '\n```');
  });
});

describe('every statement of the package', () => {
  const all = [
    ...ddlStatements('trackstream'),
    checkpointsQuery('trackstream', 't'),
    runMetricSummariesQuery('trackstream', { project: 'p', runIds: ['r'], keys: ['k'] }),
    ...Object.values(analystExamples('trackstream')),
  ].map((s) => s.text);

  // What ClickHouse 18.16 lacks (design doc); ddl-compat.int.test.ts proves the rest on both engines.
  it.each(['DateTime64', 'TTL', 'LowCardinality', 'toStartOfInterval', 'JSONCompactEachRow', 'JSONExtract', 'CODEC', '{'])(
    'avoids %s',
    (construct) => {
      expect(all.filter((text) => text.includes(construct))).toEqual([]);
    },
  );
});
