import { router } from '../trpc.ts';
import { authRouter } from './auth.ts';
import { workspaceRouter } from './workspace.ts';
import { auditRouter } from './audit.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  audit: auditRouter,
});

export type AppRouter = typeof appRouter;
