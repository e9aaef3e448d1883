// accessToken.create / list / revoke: the caller's own personal access tokens in a workspace
// (members; MCP and scripts). The token itself is returned once, by create.
import { createAccessTokenInput, revokeAccessTokenInput, workspaceIdInput } from '@tandem/schema';
import { createAccessToken, listAccessTokens, revokeAccessToken } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const accessTokenRouter = router({
  create: workspaceProcedure('member').input(createAccessTokenInput).mutation(({ ctx, input }) =>
    createAccessToken(ctx.em, { workspaceId: ctx.workspace.id, userId: ctx.user.id, label: input.label })),

  list: workspaceProcedure('member').input(workspaceIdInput).query(({ ctx }) =>
    listAccessTokens(ctx.em, { workspaceId: ctx.workspace.id, userId: ctx.user.id })),

  /** Takes effect on the token's next request: every use looks the token up (no cache to drain). */
  revoke: workspaceProcedure('member').input(revokeAccessTokenInput).mutation(({ ctx, input }) =>
    revokeAccessToken(ctx.em, { workspaceId: ctx.workspace.id, userId: ctx.user.id, tokenId: input.tokenId })),
});
