// `npm run bench:python-sdk`: the Python SDK's log() overhead next to the MLflow client's, from the project venv.
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const python = execFileSync('bash', [path.join(repo, 'scripts/python-env.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
const r = spawnSync(python, [path.join(here, 'bench.py')], { stdio: 'inherit', env: { ...process.env, MLFLOW_ENABLE_ASYNC_LOGGING: 'false' } });
process.exit(r.status ?? 1);
