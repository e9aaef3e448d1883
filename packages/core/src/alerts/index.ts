export * from './event-log.ts';
export * from './window-value.ts';
export * from './transitions.ts';
export * from './rules.ts';
export * from './delivery.ts';
export * from './evaluate.ts';
export * from './webhook-destination.ts';
export * from './delivery-slots.ts';
