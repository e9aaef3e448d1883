// Walks zod input schemas (zod 4 internals: `_zod.def`) to find every string they admit, so tests
// can check each is one of the text types of @tandem/schema, and compare their maxima with columns.
import type { z } from 'zod';
import { textTypes, type TextMeta } from '@tandem/schema';
import { appRouter } from '../src/routers/_app.ts';

export interface TextField {
  /** e.g. `conversation.rename` */
  procedure: string;
  /** e.g. `title`, `tags[]`, `labels{}` (record values), `labels{key}` (record keys) */
  path: string;
  meta: TextMeta;
}

export interface Walked {
  texts: TextField[];
  /** Places that admit a string (or anything at all) without a text type: each is a failure. */
  bare: string[];
}

interface Def {
  type: string;
  [key: string]: unknown;
}
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Every text type and every bare string under `schema`. */
export function walkInput(procedure: string, schema: unknown, walked: Walked = { texts: [], bare: [] }): Walked {
  const seen = new Set<unknown>();
  const visit = (s: unknown, path: string): void => {
    if (seen.has(s)) return;
    seen.add(s);
    // has(), not get(): get() lends a text type's metadata to schemas derived from it
    // (`.max(5)` on one), which are not text types any more.
    const meta = textTypes.has(s as z.ZodType) ? (textTypes.get(s as z.ZodType) as TextMeta) : undefined;
    if (meta) {
      walked.texts.push({ procedure, path, meta });
      return;
    }
    const def = defOf(s);
    const at = (sub: string) => (path ? `${path}${sub.startsWith('[') || sub.startsWith('{') ? '' : '.'}${sub}` : sub);
    switch (def.type) {
      case 'string':
      case 'template_literal':
      case 'any':
      case 'unknown':
      case 'custom':
        walked.bare.push(`${procedure}: ${path || '(input)'} is a bare ${def.type}`);
        return;
      case 'object':
        for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) visit(value, at(key));
        // A loose object passes unknown keys through unchecked; a strict one has catchall never.
        if (def.catchall && defOf(def.catchall).type !== 'never') visit(def.catchall, at('{*}'));
        return;
      case 'array':
        return visit(def.element, at('[]'));
      case 'set':
        return visit(def.valueType, at('[]'));
      case 'tuple':
        (def.items as unknown[]).forEach((item, i) => visit(item, at(`[${i}]`)));
        if (def.rest) visit(def.rest, at('[]'));
        return;
      case 'record':
      case 'map':
        visit(def.keyType, at('{key}'));
        return visit(def.valueType, at('{}'));
      case 'union':
        return (def.options as unknown[]).forEach((option) => visit(option, path));
      case 'intersection':
        visit(def.left, path);
        return visit(def.right, path);
      case 'pipe':
        visit(def.in, path);
        return visit(def.out, path);
      case 'lazy':
        return visit((def.getter as () => unknown)(), path);
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
      case 'success':
        return visit(def.innerType, path);
      default:
        // number, boolean, enum, literal, null, date, transform…: no free text in them.
        return;
    }
  };
  visit(schema, '');
  return walked;
}

/** Path and input schemas of every procedure of appRouter (queries, mutations, subscriptions). */
export function routerProcedures(): { path: string; type: string; inputs: unknown[] }[] {
  const procedures = (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: string; inputs: unknown[] } }> } })._def.procedures;
  return Object.entries(procedures).map(([path, p]) => ({ path, type: p._def.type, inputs: p._def.inputs }));
}

/** What the router's inputs hold, walked. */
export function walkRouter(): Walked {
  const walked: Walked = { texts: [], bare: [] };
  for (const { path, inputs } of routerProcedures()) for (const input of inputs) walkInput(path, input, walked);
  return walked;
}
