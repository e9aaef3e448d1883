// ingestKey.create / list / revoke (admin). The key itself is returned once, by create.
import { createIngestKeyInput, revokeIngestKeyInput, workspaceIdInput } from '@tandem/schema';
import { INGEST_KEYS_CHANNEL, createIngestKey, listIngestKeys, revokeIngestKey } from '@tandem/core';
import { router, workspaceProcedure } from '../trpc.ts';

export const ingestKeyRouter = router({
  create: workspaceProcedure('admin').input(createIngestKeyInput).mutation(({ ctx, input }) =>
    createIngestKey(ctx.em, { workspaceId: ctx.workspace.id, label: input.label, actorId: ctx.user.id, maxKeys: ctx.rt.config.WORKSPACE_MAX_INGEST_KEYS })),

  list: workspaceProcedure('admin').input(workspaceIdInput).query(({ ctx }) =>
    listIngestKeys(ctx.em, ctx.workspace.id)),

  revoke: workspaceProcedure('admin').input(revokeIngestKeyInput).mutation(async ({ ctx, input }) => {
    const key = await revokeIngestKey(ctx.em, { workspaceId: ctx.workspace.id, keyId: input.keyId, actorId: ctx.user.id });
    // Every instance drops the key from its cache now; if this message is lost, the cache TTL
    // still ends the key's use within seconds, so the committed revocation stands either way.
    await ctx.rt.bus.publish(INGEST_KEYS_CHANNEL, { keyId: key.id })
      .catch((err: unknown) => ctx.log.warn({ err, keyId: key.id }, 'could not announce an ingest key revocation'));
    return key;
  }),
});
