import { AuthError } from './errors';
import { canAccess, readableProjects, roleAllows, validatePrincipal, validateProject, validateRole, type Capability, type Grant, type Role } from './roles';

const grant = (role: Role, project: string): Grant => ({ tokenId: 'tk_x', principal: 'p', project, role, rateLimitPerSec: null });

describe('roleAllows', () => {
  const table: Record<Role, Capability[]> = {
    writer: ['write'],
    reader: ['read'],
    auditor: ['read', 'audit'],
    admin: ['write', 'read', 'audit', 'admin'],
  };
  for (const role of Object.keys(table) as Role[]) {
    for (const cap of ['write', 'read', 'audit', 'admin'] as Capability[]) {
      it(`${role} ${table[role].includes(cap) ? 'may' : 'may not'} ${cap}`, () => {
        expect(roleAllows(role, cap)).toBe(table[role].includes(cap));
      });
    }
  }
  it('an unknown role allows nothing', () => {
    expect(roleAllows('owner' as Role, 'read')).toBe(false);
  });
});

describe('canAccess / readableProjects', () => {
  it('a project grant covers its project only', () => {
    expect(canAccess(grant('writer', 'a'), 'write', 'a')).toBe(true);
    expect(canAccess(grant('writer', 'a'), 'write', 'b')).toBe(false);
    expect(canAccess(grant('writer', 'a'), 'read', 'a')).toBe(false);
    expect(readableProjects(grant('reader', 'a'))).toEqual(['a']);
  });
  it("'*' covers every project, still limited by role", () => {
    expect(canAccess(grant('auditor', '*'), 'audit', 'anything')).toBe(true);
    expect(canAccess(grant('auditor', '*'), 'write', 'anything')).toBe(false);
    expect(canAccess(grant('admin', '*'), 'admin', 'x')).toBe(true);
    expect(readableProjects(grant('admin', '*'))).toBeNull();
  });
  it("a project literally named '*' is not requested by a project grant", () => {
    expect(canAccess(grant('reader', 'a'), 'read', '*')).toBe(false);
  });
});

describe('validation', () => {
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof AuthError ? `${e.code}:${e.message.split(' ')[0]}` : 'other';
    }
    return 'ok';
  };
  it('projects', () => {
    expect(code(() => validateProject('vision'))).toBe('ok');
    expect(code(() => validateProject('a.b:c-d_e'))).toBe('ok');
    expect(code(() => validateProject('*'))).toBe('ok');
    expect(code(() => validateProject('a'.repeat(128)))).toBe('ok');
    expect(code(() => validateProject('a'.repeat(129)))).toBe('INVALID_ARGUMENT:project');
    expect(code(() => validateProject('**'))).toBe('INVALID_ARGUMENT:project');
    expect(code(() => validateProject(' a'))).toBe('INVALID_ARGUMENT:project');
    expect(code(() => validateProject(undefined))).toBe('INVALID_ARGUMENT:project');
  });
  it('roles', () => {
    expect(code(() => validateRole('auditor'))).toBe('ok');
    expect(code(() => validateRole('Admin'))).toBe('INVALID_ARGUMENT:role');
  });
  it('principals', () => {
    expect(code(() => validatePrincipal('ada@lab'))).toBe('ok');
    expect(code(() => validatePrincipal('Zoë Ω sweep bot'))).toBe('ok');
    expect(code(() => validatePrincipal('x'.repeat(128)))).toBe('ok');
    expect(code(() => validatePrincipal('x'.repeat(129)))).toBe('INVALID_ARGUMENT:principal');
    expect(code(() => validatePrincipal(''))).toBe('INVALID_ARGUMENT:principal');
    expect(code(() => validatePrincipal(' \t'))).toBe('INVALID_ARGUMENT:principal');
    expect(code(() => validatePrincipal('a\u0000b'))).toBe('INVALID_ARGUMENT:principal');
    expect(code(() => validatePrincipal('a\u202eb'))).toBe('INVALID_ARGUMENT:principal');
    expect(code(() => validatePrincipal(42))).toBe('INVALID_ARGUMENT:principal');
  });
});
