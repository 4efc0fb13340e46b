import { invalid, proto } from '@trackstream/mlflow-protocol';
import type { Caller } from './auth';
import type { Tracking } from './tracking';

/**
 * MLflow 3's logged-models search. Trackstream records no logged models (create/finalize are not served), so every
 * search truthfully finds none. MLflow 3's client asks this on every `runs:/` artifact listing, which must work.
 */
export async function searchLoggedModels(_t: Tracking, _caller: Caller, m: proto.Message) {
  if (proto.stringList(m, 'experiment_ids').length === 0) throw invalid("Search logged models needs 'experiment_ids'");
  return { models: [] };
}
