// Summarises a V8 .cpuprofile (node --cpu-prof): self time by function and by component (node_modules package,
// workspace package, node internals, GC, idle). Usage: node bench/lib/cpuprofile.mjs <file.cpuprofile> [top=25]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Self time (ms) per frame and per component. */
export function summarizeProfile(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map();
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const frames = new Map();
  const components = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    frames.set(key, (frames.get(key) ?? 0) + us);
    const comp = componentOf(cf);
    components.set(comp, (components.get(comp) ?? 0) + us);
    total += us;
  }
  const sorted = (m) => [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => ({ name: k, ms: us / 1000, share: us / total }));
  return { totalMs: total / 1000, frames: sorted(frames), components: sorted(components) };
}

function shortUrl(url) {
  if (!url) return '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/(packages|services)\/(.*)$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : url.replace(/^file:\/\//, '');
}

function componentOf(cf) {
  const fn = cf.functionName;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'program (native, unattributed)';
  const url = cf.url ?? '';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return pkg.startsWith('@trackstream/') ? `${pkg} (workspace)` : pkg;
  }
  const m = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (m) return `@trackstream/${m[2]} (workspace)`;
  if (url.startsWith('node:') || (!url && fn)) return 'node internals / native';
  return url ? 'other' : 'node internals / native';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const top = Number(process.argv[3] ?? 25);
  if (!file) {
    console.error('usage: node bench/lib/cpuprofile.mjs <file.cpuprofile> [top]');
    process.exit(2);
  }
  const s = summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')));
  const pct = (x) => `${(x * 100).toFixed(1).padStart(5)} %`;
  console.log(`${path.basename(file)}: ${(s.totalMs / 1000).toFixed(1)} s sampled`);
  console.log('\nself time by component:');
  for (const c of s.components.slice(0, 15)) console.log(`  ${pct(c.share)}  ${c.ms.toFixed(0).padStart(7)} ms  ${c.name}`);
  console.log(`\ntop ${top} frames by self time:`);
  for (const f of s.frames.slice(0, top)) console.log(`  ${pct(f.share)}  ${f.ms.toFixed(0).padStart(7)} ms  ${f.name}`);
}
