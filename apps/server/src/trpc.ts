// The only file that calls initTRPC. Exports the three base procedures every router builds on.
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { AppError, User, roleIn } from '@tandem/core';
import { roleRank, idSchema, type Role } from '@tandem/schema';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause;
    const zodError = cause instanceof z.ZodError ? cause : null;
    return {
      ...shape,
      // Validation errors read as one sentence; fieldErrors carries them per field for forms.
      message: zodError ? zodError.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ') : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : undefined,
        retryAfterMs: cause instanceof AppError ? cause.details.retryAfterMs : undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors become tRPC errors with the same code; unknown errors are logged and hidden. */
const errorMapping = t.middleware(async ({ ctx, next, path }) => {
  const result = await next({ ctx: { em: ctx.rt.orm.em.fork() } });
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError)
      result.error = new TRPCError({ code: cause.code, message: cause.message, cause });
    else if (result.error.code === 'INTERNAL_SERVER_ERROR')
      ctx.log.error({ err: result.error.cause ?? result.error, path }, 'procedure failed');
  }
  return result;
});

export const publicProcedure = t.procedure.use(errorMapping);

/** A signed-in user whose token version is still current (revocation takes effect at once). */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const claims = ctx.claims;
  if (!claims) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.tokenSent ? 'Invalid token' : 'Sign in first' });
  if (claims.expiresAt <= Date.now()) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session has expired; sign in again' });
  const user = await ctx.em.findOne(User, { id: claims.userId });
  if (!user || user.tokenVersion !== claims.tokenVersion)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Your session was signed out; sign in again' });
  return next({ ctx: { user, claims } });
});

const workspaceRef = z.object({ workspaceId: idSchema }).loose();

/**
 * Membership check for every procedure whose input names a workspace. Not a member → NOT_FOUND
 * (never reveal that it exists); role below `minRole` → FORBIDDEN.
 */
export function workspaceProcedure(minRole: Role) {
  return authedProcedure.use(async ({ ctx, next, getRawInput }) => {
    const parsed = workspaceRef.safeParse(await getRawInput());
    if (!parsed.success) throw new TRPCError({ code: 'BAD_REQUEST', message: 'workspaceId is required', cause: parsed.error });
    const workspaceId = parsed.data.workspaceId;
    const role = await roleIn(ctx.em, workspaceId, ctx.user.id);
    if (!role) throw new TRPCError({ code: 'NOT_FOUND', message: 'Workspace not found' });
    if (roleRank[role] < roleRank[minRole])
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minRole} role; you are ${role}` });
    return next({ ctx: { workspace: { id: workspaceId, role } } });
  });
}
