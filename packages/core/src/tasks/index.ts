// Each member's own todo tasks.
export * from './tasks.ts';
