// The demo sales data set the assistant's tools analyse: products, their stock, and orders.
// Every row carries its workspace; every query of packages/tools filters by it.
import { defineEntity, p, type EntitySchema, type InferEntity } from '@mikro-orm/core';

export const Product = defineEntity({
  name: 'Product',
  tableName: 'products',
  uniques: [{ properties: ['workspaceId', 'sku'] }],
  properties: {
    id: p.uuid().primary(),
    workspaceId: p.uuid(),
    sku: p.string().length(32),
    name: p.string().length(120),
    category: p.string().length(60),
    unitPrice: p.decimal().precision(12).scale(2),
    unitCost: p.decimal().precision(12).scale(2),
  },
});
export type IProduct = InferEntity<typeof Product>;

export const InventoryLevel = defineEntity({
  name: 'InventoryLevel',
  tableName: 'inventory_levels',
  indexes: [{ properties: ['workspaceId'] }],
  properties: {
    product: () => p.oneToOne(Product).primary().owner().ref().deleteRule('cascade'),
    workspaceId: p.uuid(),
    onHand: p.integer(),
    reorderPoint: p.integer(),
    avgDailyUnits: p.decimal().precision(10).scale(2),
  },
});
export type IInventoryLevel = InferEntity<typeof InventoryLevel>;

export const SalesOrder = defineEntity({
  name: 'SalesOrder',
  tableName: 'sales_orders',
  indexes: [{ properties: ['workspaceId', 'orderedAt'] }, { properties: ['workspaceId', 'product'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    workspaceId: p.uuid(),
    product: () => p.manyToOne(Product).ref().deleteRule('cascade'),
    orderedAt: p.datetime(),
    units: p.integer(),
    revenue: p.decimal().precision(12).scale(2),
    cost: p.decimal().precision(12).scale(2),
  },
});
export type ISalesOrder = InferEntity<typeof SalesOrder>;

/** For the entities list of entities/index.ts (typed loosely so it joins that list's union). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EntitySchema is invariant in its entity type: a list of different entities needs any
export const salesEntities: EntitySchema<any, never>[] = [Product, InventoryLevel, SalesOrder];
