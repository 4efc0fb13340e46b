import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import { ApiClient, authMessage, type ApiError } from './logic/api';
import { ComparePage } from './ui/compare';
import { parseLineageRoute } from './logic/lineage';
import { ExperimentsPage } from './ui/experiments';
import { LineagePage } from './ui/lineage';
import { RunPage } from './ui/run';
import { RunsPage } from './ui/runs';
import { AppContext } from './ui/shared';

const TOKEN_KEY = 'trackstream.token';

function useRoute(): string {
  const [route, setRoute] = useState(location.hash.slice(1) || '/');
  useEffect(() => {
    const on = () => setRoute(location.hash.slice(1) || '/');
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

function Page(props: { route: string }) {
  const [, first, rest] = /^\/([a-z]*)\/?(.*)$/.exec(props.route) ?? [];
  const arg = decodeURIComponent(rest ?? '');
  if (first === 'e' && arg) return <RunsPage experimentId={arg} />;
  if (first === 'r' && arg) return <RunPage runId={arg} />;
  const lineage = first === 'lineage' ? parseLineageRoute(rest ?? '') : null;
  if (lineage !== null) return <LineagePage route={lineage} />;
  if (first === 'c' && rest) return <ComparePage runIds={rest.split(',').map(decodeURIComponent).filter((x) => x !== '')} />;
  return <ExperimentsPage />;
}

function App() {
  const route = useRoute();
  // The token lives in sessionStorage only: never in a URL, never logged; a 401/403 asks for it again.
  const [token, setToken] = useState<string | null>(sessionStorage.getItem(TOKEN_KEY));
  const [authError, setAuthError] = useState<ApiError | null>(null);
  const [draft, setDraft] = useState('');
  const [epoch, setEpoch] = useState(0);
  const api = useMemo(() => new ApiClient({ token: () => sessionStorage.getItem(TOKEN_KEY) }), []);
  const ctx = useMemo(() => ({ api, reportAuth: (err: ApiError) => setAuthError(err) }), [api]);
  const save = (e: Event) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, draft.trim());
    setToken(draft.trim());
    setDraft('');
    setAuthError(null);
    setEpoch((n) => n + 1);
  };
  return (
    <AppContext.Provider value={ctx}>
      <header>
        <a class="brand" href="#/">
          Trackstream
        </a>
        {token ? (
          <button type="button" onClick={() => (sessionStorage.removeItem(TOKEN_KEY), setToken(null))}>
            forget token
          </button>
        ) : null}
      </header>
      {authError ? (
        <form class="token" onSubmit={save}>
          <p class="error">{authMessage(authError)}</p>
          <input type="password" autocomplete="off" placeholder="API token" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} aria-label="API token" />
          <button type="submit">Use token</button>
        </form>
      ) : null}
      <main key={epoch}>
        <Page route={route} />
      </main>
    </AppContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
