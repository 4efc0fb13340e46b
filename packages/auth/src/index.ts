export {
  AuthError,
  authError,
  UnauthenticatedError,
  AuthForbiddenError,
  AuthUnavailableError,
  TokenNotFoundError,
  AuthArgumentError,
  deniedWho, unauthenticatedMessage, UNAUTHENTICATED_CODES, type AuthErrorCode } from './errors';
export {
  roleAllows,
  canAccess,
  readableProjects,
  isRole,
  validateProject,
  validateRole,
  validatePrincipal,
  ROLES,
  ALL_PROJECTS,
  PROJECT_PATTERN,
  type Role,
  type Capability,
  type Grant,
} from './roles';
export { generateToken, generateTokenId, hashToken, bearerToken, isTokenId, TOKEN_PATTERN } from './tokens';
export {
  InMemoryTokenStore,
  validateCreateInput,
  isActive,
  type TokenStore,
  type TokenRecord,
  type TokenChange,
  type CreateTokenInput,
} from './store';
export { PostgresTokenStore, DEFAULT_AUTH_SCHEMA, type PostgresTokenStoreOptions } from './postgres-store';
export { TokenValidator, type TokenValidatorOptions, type TokenValidatorStatus } from './validator';
export { startPostgresTokenValidator, type TokenAuthWiring } from './postgres-validator';
export { TokenBuckets, type TakeResult } from './buckets';
