export * from './config.ts';
export * from './auth.ts';
export * from './jobs.ts';
export * from './conversations.ts';
export * from './metrics.ts';
