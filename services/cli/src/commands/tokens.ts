import { tokensCommand as runTokens } from '../tokens';
import type { Command } from './context';

export const HELP = `usage: trackstream tokens create --principal WHO --project NAME|'*' --role writer|reader|auditor|admin [--rate N] [--expires WHEN]
       trackstream tokens list
       trackstream tokens revoke TOKEN_ID

API tokens for the gateway, the query API and this command (docs/security.md). Stored in Postgres
(TRACKSTREAM_PG_URL, schema TRACKSTREAM_AUTH_PG_SCHEMA, default trackstream_auth) as sha256 hashes only.
  create   prints the new token once on stdout (nothing else goes to stdout: TOKEN=$(trackstream tokens create ...));
           it cannot be shown again. Roles: writer (send events), reader (query), auditor (query, replay, verify,
           export, audit), admin (all of these, and manage tokens). --project '*' covers every project.
           --rate      the token's gateway budget in events/s (default: the gateway's TRACKSTREAM_GATEWAY_RATE_LIMIT)
           --expires   ISO timestamp or a duration from now: 30s, 15m, 12h, 90d, 2w (default: never)
  list     every token: id, principal, project, role, rate, created, expires, revoked (never a token or a hash)
  revoke   marks the token revoked; running services refuse it within TRACKSTREAM_AUTH_REFRESH_MS (default 2 s)
           plus one query. Revoking again changes nothing.
With TRACKSTREAM_AUTH=on (the default) every tokens command needs TRACKSTREAM_TOKEN of an admin; an admin of one
project manages only that project's tokens, an admin of '*' all of them. Bootstrap: while the store holds no active
(unrevoked, unexpired) admin token, 'tokens create --role admin' works without TRACKSTREAM_TOKEN, so the first admin
can be made by whoever can reach the database (TRACKSTREAM_PG_URL). Exit status 3 when the token is refused.`;

export const tokensCommand: Command = { help: HELP, run: (ctx, args, io) => runTokens(ctx.auth, args, io) };
