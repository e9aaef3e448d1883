import { router } from '../trpc.ts';
import { authRouter } from './auth.ts';
import { workspaceRouter } from './workspace.ts';
import { auditRouter } from './audit.ts';
import { conversationRouter } from './conversation.ts';

export const appRouter = router({
  auth: authRouter,
  workspace: workspaceRouter,
  audit: auditRouter,
  conversation: conversationRouter,
});

export type AppRouter = typeof appRouter;
