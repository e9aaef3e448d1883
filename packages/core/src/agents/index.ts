// Agents of a workspace: listing, lookups, admin edits, and their ok / degraded / down status.
export * from './agents.ts';
export * from './agent-status.ts';
export * from './run-markers.ts';
