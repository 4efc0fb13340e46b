import { formatTime } from '../logic/compare';
import { viewState, type ViewState } from '../logic/views';
import type { NoteView, RunView, SavedViewView } from '../logic/wire';
import { Markdown } from './markdown';
import { ErrorBox, useApp, useLoad } from './shared';

function Note(props: { note: NoteView }) {
  const n = props.note;
  return (
    <article class="note" data-note={n.note_id}>
      <p class="note-head">
        <span class="who">{n.author}</span> <span class="muted">{formatTime(n.created_at)}</span>
        {n.updated_at !== n.created_at ? <span class="muted"> · edited {formatTime(n.updated_at)}{n.edited_by !== null && n.edited_by !== n.author ? ` by ${n.edited_by}` : ''}</span> : null}
      </p>
      <Markdown text={n.text} />
    </article>
  );
}

/** An experiment's own notes and its saved views (`GET /v1/experiments/:id/notes`, `/views`); a view applied sets the runs table. */
export function ExperimentCollabPanel(props: { experimentId: string; onApply: (v: ViewState) => void }) {
  const { api } = useApp();
  const id = encodeURIComponent(props.experimentId);
  const notes = useLoad(() => api.get<{ notes: NoteView[] }>(`/v1/experiments/${id}/notes`), [id]);
  const views = useLoad(() => api.get<{ views: SavedViewView[] }>(`/v1/experiments/${id}/views`), [id]);
  if ((notes.data?.notes.length ?? 0) + (views.data?.views.length ?? 0) === 0 && notes.error === null && views.error === null) return null;
  return (
    <div class="columns">
      <div class="panel" data-panel="experiment-notes">
        <h2>Notes</h2>
        <ErrorBox error={notes.error} />
        {notes.data?.notes.length === 0 ? <p class="muted">no notes</p> : null}
        {notes.data?.notes.map((n) => <Note key={n.note_id} note={n} />)}
      </div>
      <div class="panel" data-panel="views">
        <h2>Saved views</h2>
        <ErrorBox error={views.error} />
        {views.data?.views.length === 0 ? <p class="muted">none</p> : null}
        <ul>
          {views.data?.views.map((v) => (
            <li key={v.name}>
              <button type="button" class="link" data-view={v.name} onClick={() => props.onApply(viewState(v))}>
                {v.name}
              </button>{' '}
              <code class="muted">{v.filter ?? ''}</code> <span class="muted">— {v.author}</span>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** The run's notes (markdown, rendered as elements), its annotations at metric steps, and who starred or pinned it. */
export function RunNotesPanel(props: { run: RunView }) {
  const { notes, annotations, stars, pinned } = props.run;
  return (
    <div class="panel" data-panel="notes">
      <h2>
        Notes{' '}
        <span class="badges">
          <span class={`star ${stars.length > 0 ? 'on' : ''}`} data-stars={stars.length} title={stars.join(', ')}>
            ★ {stars.length}
          </span>
          {pinned ? (
            <span class="pin" data-pinned>
              pinned
            </span>
          ) : null}
        </span>
      </h2>
      {stars.length > 0 ? <p class="muted">starred by {stars.join(', ')}</p> : null}
      {notes.length === 0 ? <p class="muted">no notes</p> : null}
      {notes.map((n) => (
        <Note key={n.note_id} note={n} />
      ))}
      {annotations.length > 0 ? (
        <>
          <h3>Annotations</h3>
          <ul class="annotations">
            {annotations.map((a) => (
              <li key={a.annotation_id} data-annotation={a.annotation_id}>
                <code>
                  {a.key}@{a.step}
                </code>{' '}
                <span class="text">{a.text}</span> <span class="muted">— {a.author}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}
