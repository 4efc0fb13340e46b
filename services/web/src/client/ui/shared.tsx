import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError, authMessage } from '../logic/api';

export interface AppContextValue {
  api: ApiClient;
  /** A request was refused for want of a (better) token: the app asks for one. */
  reportAuth(err: ApiError): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const v = useContext(AppContext);
  if (v === null) throw new Error('useApp outside AppContext');
  return v;
}

/** Loads `load()` when `deps` change; errors are kept for display, auth errors also go to the app's token prompt. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): { data: T | null; error: ApiError | Error | null; loading: boolean; reload: () => void } {
  const app = useApp();
  const [state, setState] = useState<{ data: T | null; error: ApiError | Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error: Error) => {
        if (!live) return;
        if (error instanceof ApiError && error.authProblem) app.reportAuth(error);
        setState({ data: null, error, loading: false });
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}

export function ErrorBox(props: { error: Error | null }) {
  if (props.error === null) return null;
  const e = props.error;
  const text = e instanceof ApiError ? (e.authProblem ? authMessage(e) : `${e.message} (${e.code})`) : e.message;
  return (
    <div class="error" role="alert">
      {text}
    </div>
  );
}

export function Status(props: { status: string | null }) {
  const s = props.status ?? 'UNKNOWN';
  return <span class={`status status-${s.toLowerCase()}`}>{s}</span>;
}

export function href(route: string): string {
  return `#${route}`;
}
