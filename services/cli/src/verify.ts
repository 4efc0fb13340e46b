/** Per-table row count and order-independent content checksum of one projection. */
export interface TableSum {
  rows: string;
  checksum: string;
}

export interface TableDiff {
  table: string;
  a: TableSum;
  b: TableSum;
  /** Some rows only in a / only in b (each JSON), bounded. */
  onlyInA: string[];
  onlyInB: string[];
}

export interface VerifyReport {
  tables: { table: string; a: TableSum; b: TableSum; equal: boolean }[];
  differences: TableDiff[];
}

export function formatVerify(report: VerifyReport, a: string, b: string): string[] {
  const lines = [`table                rows(${a})  rows(${b})  checksum`];
  for (const t of report.tables) {
    lines.push(`${t.table.padEnd(20)} ${t.a.rows.padStart(9)}  ${t.b.rows.padStart(9)}  ${t.equal ? 'equal' : 'DIFFERENT'}`);
  }
  for (const d of report.differences) {
    for (const r of d.onlyInA) lines.push(`  ${d.table}: only in ${a}: ${r}`);
    for (const r of d.onlyInB) lines.push(`  ${d.table}: only in ${b}: ${r}`);
  }
  lines.push(report.differences.length === 0 ? 'no differences' : `${report.differences.length} table(s) differ`);
  return lines;
}
