import { formatTime } from '../logic/compare';
import type { RunView } from '../logic/wire';
import { Markdown } from './markdown';

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
        <article key={n.note_id} class="note" data-note={n.note_id}>
          <p class="note-head">
            <span class="who">{n.author}</span> <span class="muted">{formatTime(n.created_at)}</span>
            {n.updated_at !== n.created_at ? <span class="muted"> · edited {formatTime(n.updated_at)}{n.edited_by !== null && n.edited_by !== n.author ? ` by ${n.edited_by}` : ''}</span> : null}
          </p>
          <Markdown text={n.text} />
        </article>
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
