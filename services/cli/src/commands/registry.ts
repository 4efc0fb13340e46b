import { artifactsCommand } from './artifacts';
import { auditCommand } from './audit';
import type { Command } from './context';
import { exportCommand } from './export';
import { importMlflowCommand } from './import-mlflow';
import { replayCommand } from './replay';
import { tokensCommand } from './tokens';
import { verifyCommand } from './verify';

/** Every command the CLI runs itself (sync is the SDK's), by name; help order as in the usage text. */
export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({
  tokens: tokensCommand,
  replay: replayCommand,
  verify: verifyCommand,
  export: exportCommand,
  audit: auditCommand,
  'import-mlflow': importMlflowCommand,
  artifacts: artifactsCommand,
});
