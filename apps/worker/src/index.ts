export { startWorkers } from './worker.ts';
export { handlers, makeProcessor } from './processors.ts';
