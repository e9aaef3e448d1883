// Inputs and outputs of auth.* and workspace.* procedures.
import { z } from 'zod';

export const roleSchema = z.enum(['admin', 'member', 'viewer']);
export type Role = z.infer<typeof roleSchema>;

/** Higher number = more rights; middleware compares ranks, never role names. */
export const roleRank: Record<Role, number> = { viewer: 1, member: 2, admin: 3 };

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address' }));

export const passwordSchema = z
  .string()
  .min(8, 'Password must be at least 8 characters')
  .max(200, 'Password must be at most 200 characters');

export const registerInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1, 'Name is required').max(100),
});
export const loginInput = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export const idSchema = z.uuid({ message: 'must be an id' });
export const workspaceIdInput = z.object({ workspaceId: idSchema });

export const createWorkspaceInput = z.object({ name: z.string().trim().min(1, 'Name is required').max(80) });
export const addMemberInput = z.object({ workspaceId: idSchema, email: emailSchema, role: roleSchema });
export const setRoleInput = z.object({ workspaceId: idSchema, userId: idSchema, role: roleSchema });
export const removeMemberInput = z.object({ workspaceId: idSchema, userId: idSchema });
export const auditListInput = z.object({
  workspaceId: idSchema,
  cursor: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(200).default(50),
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
