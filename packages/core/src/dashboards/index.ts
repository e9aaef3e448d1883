// Each user's saved dashboard choices per workspace.
export * from './dashboard-prefs.ts';
