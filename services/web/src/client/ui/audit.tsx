import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../logic/api';
import { formatTime } from '../logic/compare';
import type { AuditAnswer, AuditEntry } from '../logic/wire';
import { ErrorBox, useApp } from './shared';

export const AUDIT_PAGE = 200;

/** Where a timeline comes from: a run's events, or an experiment's own (by id). */
export function auditPath(subject: { runId: string } | { experimentId: string }): string {
  return 'runId' in subject ? `/v1/runs/${encodeURIComponent(subject.runId)}/events` : `/v1/experiments/${encodeURIComponent(subject.experimentId)}/events`;
}

/**
 * An audit timeline (`GET /v1/runs/:run_id/events`, `GET /v1/experiments/:id/events`): each event with when it
 * happened and when the gateway received it, who sent it, and what it changed; a param conflict is marked. Paged
 * by the server's cursor; read again when `version` changes (e.g. the run's status moved).
 */
export function AuditTimeline(props: { path: string; version: string; title: string }) {
  const { api, reportAuth } = useApp();
  const [events, setEvents] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const load = (token: string | null) => {
    const q = new URLSearchParams({ max_results: String(AUDIT_PAGE) });
    if (token !== null) q.set('page_token', token);
    api.get<AuditAnswer>(`${props.path}?${q.toString()}`).then(
      (a) => {
        setError(null);
        setEvents((prev) => (token === null ? a.events : prev.concat(a.events)));
        setNext(a.next_page_token);
      },
      (err: Error) => {
        if (err instanceof ApiError && err.authProblem) reportAuth(err);
        setError(err);
      },
    );
  };
  useEffect(() => load(null), [props.path, props.version]);
  return (
    <div class="panel" data-panel="audit">
      <h2>{props.title}</h2>
      <ErrorBox error={error} />
      {events.length === 0 && error === null ? <p class="muted">no events</p> : null}
      <ol class="timeline">
        {events.map((e) => (
          <li key={e.event_id} data-event-type={e.type} data-conflict={e.conflict ? 'true' : 'false'} class={e.conflict ? 'conflict' : ''}>
            <div>
              <span class="when" title={`received ${formatTime(e.received_at)} · partition ${e.partition} offset ${e.offset}`}>
                {formatTime(e.occurred_at)}
              </span>{' '}
              <span class="who">{e.principal}</span> <code>{e.type}</code>
            </div>
            {e.changes.map((c, i) => (
              <div key={i} class="what">
                {c}
              </div>
            ))}
          </li>
        ))}
      </ol>
      {next !== null ? (
        <button type="button" data-more-events onClick={() => load(next)}>
          more events
        </button>
      ) : null}
    </div>
  );
}
