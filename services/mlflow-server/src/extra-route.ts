import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access, Caller } from './auth';

/**
 * Routes served under another prefix by their own handler, e.g. the MLflow artifact proxy
 * (`/api/2.0/mlflow-artifacts/`, over @trackstream/artifacts) once it is wired: the server hands such a request over
 * whole (raw streams, no JSON parsing), after authorizing it.
 */
export interface ExtraRoute {
  prefix: string;
  access: (method: string) => Access;
  handle(req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<void>;
}

