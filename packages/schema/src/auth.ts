// Inputs and outputs of auth.* and workspace.* procedures.
import { z } from 'zod';
import { asTextType, secretText, singleLineText, tokenText } from './text.ts';

export const roleSchema = z.enum(['admin', 'member', 'viewer']);
export type Role = z.infer<typeof roleSchema>;

/** Higher number = more rights; middleware compares ranks, never role names. */
export const roleRank: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

/** Column sizes: users.email, users.name, workspaces.name (text-limits.server.test.ts keeps them equal). */
export const EMAIL_MAX = 254;
export const USER_NAME_MAX = 100;
export const WORKSPACE_NAME_MAX = 80;

/** Trimmed and lower-cased; z.email admits ASCII only, so nothing else reaches the database. */
export const emailSchema = asTextType(
  z
    .string({ error: (i) => (i.input === undefined ? 'Email is required' : 'Email must be text') })
    .trim()
    .toLowerCase()
    .max(EMAIL_MAX, `Email can be at most ${EMAIL_MAX} characters`)
    .pipe(z.email({ message: 'Enter a valid email address' })),
  { kind: 'token', field: 'Email', min: 3, max: EMAIL_MAX },
);

export const passwordSchema = secretText('Password', { min: 8, max: 200 });

export const userNameSchema = singleLineText('Name', { max: USER_NAME_MAX });
export const registerInput = z.object({ email: emailSchema, password: passwordSchema, name: userNameSchema });
export const loginInput = z.object({ email: emailSchema, password: secretText('Password', { max: 200 }) });

export const idSchema = asTextType(z.uuid({ message: 'must be an id' }), { kind: 'token', field: 'Id', min: 36, max: 36 });
export const workspaceIdInput = z.object({ workspaceId: idSchema });

export const workspaceNameSchema = singleLineText('Workspace name', { max: WORKSPACE_NAME_MAX });
export const createWorkspaceInput = z.object({ name: workspaceNameSchema });
export const setRoleInput = z.object({ workspaceId: idSchema, userId: idSchema, role: roleSchema });
export const removeMemberInput = z.object({ workspaceId: idSchema, userId: idSchema });
export const auditListInput = z.object({
  workspaceId: idSchema,
  /** The id of the last entry of the previous page (a bigint, so at most 18 digits here). */
  cursor: tokenText('Cursor', { max: 18, pattern: /^\d+$/, patternMessage: 'must be the nextCursor of a previous page' }).optional(),
  limit: z.number().int().min(1).max(200).default(50),
  /** Filters: who acted, what (an action or its prefix: `member.` matches every member action), on what, when. */
  actorId: idSchema.optional(),
  action: tokenText('Action', { max: 64, pattern: /^[\w.]+$/, patternMessage: 'must be an action name or prefix (letters, digits, dots)' }).optional(),
  targetId: tokenText('Target', { max: 64 }).optional(),
  from: z.number().int().min(0).optional(),
  to: z.number().int().min(0).optional(),
});

export const userSchema = z.object({ id: z.string(), email: z.string(), name: z.string() });
export type UserDto = z.infer<typeof userSchema>;
export const workspaceSummarySchema = z.object({ id: z.string(), name: z.string(), role: roleSchema });
export type WorkspaceSummary = z.infer<typeof workspaceSummarySchema>;
export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  joinedAt: z.string(),
});
export type MemberDto = z.infer<typeof memberSchema>;

/** Claims Tandem puts in a user token (beside iss/aud/exp/iat). */
export const tokenClaimsSchema = z.object({
  sub: z.string(),
  ver: z.number().int(),
  typ: z.literal('user'),
});
