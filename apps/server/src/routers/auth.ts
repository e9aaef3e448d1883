// auth.*: register, login, me, change password, logout (everywhere).
import { changePasswordInput, loginInput, registerInput } from '@tandem/schema';
import { AppError, auditSignIn, authenticate, changePassword, listWorkspacesOf, registerUser, revokeTokens, toUserDto } from '@tandem/core';
import { authedProcedure, publicProcedure, router } from '../trpc.ts';
import { announceAuthChange } from '../subscriptions/auth-watch.ts';

export const authRouter = router({
  register: publicProcedure.input(registerInput).mutation(async ({ ctx, input }) => {
    await ctx.services.signIn.register(ctx.clientKey);
    const user = await registerUser(ctx.em, input);
    return { token: await ctx.rt.tokens.sign(user.id, user.tokenVersion), user: toUserDto(user) };
  }),

  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    // Only failures count, per account and client address: an owner elsewhere is never refused.
    const user = await ctx.services.signIn.signIn(input.email, ctx.clientKey, () => authenticate(ctx.em, input.email, input.password))
      .catch(async (err: unknown) => {
        if (err instanceof AppError && err.code === 'UNAUTHORIZED') await auditSignIn(ctx.em.fork(), input.email, 'auth.loginFailed', ctx.clientKey);
        throw err;
      });
    await auditSignIn(ctx.em.fork(), user.email, 'auth.login', ctx.clientKey);
    return { token: await ctx.rt.tokens.sign(user.id, user.tokenVersion), user: toUserDto(user) };
  }),

  me: authedProcedure.query(async ({ ctx }) => ({
    user: toUserDto(ctx.user),
    workspaces: await listWorkspacesOf(ctx.em, ctx.user.id),
  })),

  /**
   * Ends every session of the user (token version), other sockets included, and hands the caller
   * a fresh token so this one goes on. Wrong guesses count like failed sign-ins.
   */
  changePassword: authedProcedure.input(changePasswordInput).mutation(async ({ ctx, input }) => {
    const version = await ctx.services.signIn
      .signIn(ctx.user.email, ctx.clientKey, () => changePassword(ctx.em, ctx.user.id, input))
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'UNAUTHORIZED')
          throw new AppError('BAD_REQUEST', err.message, { field: 'currentPassword' });
        throw err;
      });
    await announceAuthChange(ctx.rt.bus, ctx.user.id);
    await auditSignIn(ctx.em.fork(), ctx.user.email, 'auth.passwordChanged', ctx.clientKey);
    return { token: await ctx.rt.tokens.sign(ctx.user.id, version), user: toUserDto(ctx.user) };
  }),

  /** Signs the user out everywhere: every token issued so far stops working, open sockets close. */
  logout: authedProcedure.mutation(async ({ ctx }) => {
    await revokeTokens(ctx.em, ctx.user.id);
    await announceAuthChange(ctx.rt.bus, ctx.user.id);
    return { ok: true as const };
  }),
});
