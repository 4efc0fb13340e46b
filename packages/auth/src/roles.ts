import { LIMITS } from '@trackstream/events';
import { authError } from './errors';

export type Role = 'writer' | 'reader' | 'auditor' | 'admin';
export type Capability = 'write' | 'read' | 'audit' | 'admin';

export const ROLES: readonly Role[] = ['writer', 'reader', 'auditor', 'admin'];

const CAPABILITIES: Record<Role, readonly Capability[]> = {
  writer: ['write'],
  reader: ['read'],
  auditor: ['read', 'audit'],
  admin: ['write', 'read', 'audit', 'admin'],
};

/** What one validated token may do: no secret in it, safe to log (tokenId, principal). */
export interface Grant {
  tokenId: string;
  principal: string;
  /** A project name, or '*' for every project. */
  project: string;
  role: Role;
  rateLimitPerSec: number | null;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleAllows(role: Role, cap: Capability): boolean {
  return CAPABILITIES[role]?.includes(cap) ?? false;
}

/** Can this grant use `cap` on `project`? ('*' grants cover every project.) */
export function canAccess(grant: Grant, cap: Capability, project: string): boolean {
  if (!roleAllows(grant.role, cap)) return false;
  return grant.project === ALL_PROJECTS || grant.project === project;
}

/** Projects the grant may read: null = all ('*'), else [grant.project]. */
export function readableProjects(grant: Grant): string[] | null {
  return grant.project === ALL_PROJECTS ? null : [grant.project];
}

export const ALL_PROJECTS = '*';
/** The events' id grammar (design.md; defined in @trackstream/events), shared by token records. */
export const PROJECT_PATTERN: RegExp = LIMITS.idPattern;
// Printable: no control, format, surrogate, private-use or unassigned code points (\p{C}).
const PRINCIPAL_PATTERN = /^[^\p{C}]{1,128}$/u;

export function validateProject(project: unknown): string {
  if (typeof project !== 'string' || (project !== ALL_PROJECTS && !PROJECT_PATTERN.test(project))) {
    throw authError('INVALID_ARGUMENT', `project must match ${PROJECT_PATTERN.source} or be '*'`);
  }
  return project;
}

export function validateRole(role: unknown): Role {
  if (!isRole(role)) throw authError('INVALID_ARGUMENT', `role must be one of ${ROLES.join(', ')}`);
  return role;
}

export function validatePrincipal(principal: unknown): string {
  if (typeof principal !== 'string' || principal.trim() === '' || [...principal].length > 128 || !PRINCIPAL_PATTERN.test(principal)) {
    throw authError('INVALID_ARGUMENT', 'principal must be 1 to 128 printable characters, not only spaces');
  }
  return principal;
}

export function validateRateLimit(rate: unknown): number | null {
  if (rate === null || rate === undefined) return null;
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0 || rate > 1e9) {
    throw authError('INVALID_ARGUMENT', 'rateLimitPerSec must be a number > 0 and <= 1e9, or null');
  }
  return rate;
}

export function validateExpiresAt(expiresAt: unknown): number | null {
  if (expiresAt === null || expiresAt === undefined) return null;
  if (typeof expiresAt !== 'number' || !Number.isSafeInteger(expiresAt) || expiresAt < 0) {
    throw authError('INVALID_ARGUMENT', 'expiresAt must be ms since the epoch (a non-negative integer), or null');
  }
  return expiresAt;
}
