import { createQueryApi } from './app';
import { openApiDocument } from './openapi';

/** Routes express knows, as `METHOD /path/{param}`. Express 5 keeps them as layers with a `route` on the router. */
function expressRoutes(app: unknown): string[] {
  const router = (app as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
  return router.stack
    .filter((l) => l.route)
    .flatMap((l) => Object.keys(l.route!.methods).map((m) => `${m.toUpperCase()} ${l.route!.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`));
}

test('every express route is described in /openapi.json, and nothing else', async () => {
  // Nothing connects until a query runs, so no server is needed to build the app.
  const api = createQueryApi({ pgUrl: 'postgres://u:p@127.0.0.1:1/x', clickhouseUrl: 'http://127.0.0.1:1/x', eventsTopic: 't', readYourWritesWaitMs: 1 });
  try {
    const routes = expressRoutes(api.app).sort();
    const documented = Object.entries(openApiDocument.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(routes.length).toBeGreaterThanOrEqual(9);
    expect(documented).toEqual(routes);
  } finally {
    await api.close();
  }
});
