// Inputs and outputs of workspace invitations and of auth.changePassword.
import { z } from 'zod';
import { emailSchema, idSchema, roleSchema } from './auth.ts';
import { secretText, tokenText } from './text.ts';

/** `tdi_` and 43 base64url characters: what an invitation link carries. */
export const INVITATION_TOKEN_PATTERN = /^tdi_[A-Za-z0-9_-]{43}$/;

/** The email is the admin's label for whom the link is meant; it never picks an account. */
export const inviteInput = z.object({ workspaceId: idSchema, email: emailSchema, role: roleSchema });
export const revokeInviteInput = z.object({ workspaceId: idSchema, invitationId: idSchema });
export const invitationTokenInput = z.object({
  token: tokenText('Invitation', { max: 47, pattern: INVITATION_TOKEN_PATTERN, patternMessage: 'is not a valid invitation link' }),
});

export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  invitedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** The link to hand over (admins only see it). */
  url: z.string(),
});
export type InvitationDto = z.infer<typeof invitationSchema>;

/** What the holder of a link sees before accepting. */
export const invitationPreviewSchema = z.object({
  workspaceId: z.string(),
  workspaceName: z.string(),
  role: roleSchema,
  invitedBy: z.string(),
  expiresAt: z.string(),
  /** The caller is already a member (accepting would change nothing). */
  alreadyMember: z.boolean(),
});
export type InvitationPreview = z.infer<typeof invitationPreviewSchema>;

export const changePasswordInput = z.object({
  currentPassword: secretText('Current password', { max: 200 }),
  newPassword: secretText('New password', { min: 8, max: 200 }),
});
