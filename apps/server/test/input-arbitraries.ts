// fast-check arbitraries made from zod input schemas (zod 4 internals), mixed with hostile values:
// what a careless or malicious client could send. Used by the input sweep (issue 14).
import fc from 'fast-check';
import { textTypes, type TextMeta } from '@tandem/schema';

/** JSON text spliced into a request body as it is (bodies JSON.stringify cannot make). */
export class RawJson {
  constructor(readonly text: string) {}
  /** How fast-check prints it in a counterexample: not 40,000 brackets. */
  [fc.toStringMethod](): string {
    return `RawJson(${JSON.stringify(this.text.slice(0, 24))}… ${this.text.length} characters)`;
  }
}

/** The JSON text of a generated value, RawJson parts spliced in. */
export function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : toJson(v))).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Whether a value holds spliced JSON (the WebSocket client cannot send those). */
export const holdsRaw = (value: unknown): boolean =>
  value instanceof RawJson || (!!value && typeof value === 'object' && Object.values(value).some(holdsRaw));

const DEPTH = 20_000;
/** Deeply nested JSON, malformed dates, wrong types: a value in place of any field. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    new RawJson('['.repeat(DEPTH) + ']'.repeat(DEPTH)),
    new RawJson('{"a":'.repeat(DEPTH) + '1' + '}'.repeat(DEPTH)),
    null, true, false, 0, -1, -0, 1.5, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, [], {}, [null], { toString: 'x' },
    '2026-02-30T25:61:00Z', 'yesterday', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00.001Z', '1970-01-01', 'NaN', '',
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Any UTF-16 unit or code point, lone surrogates and NUL included. */
const anyUnit = fc.oneof(
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0, max: 0x9f }).map((c) => String.fromCharCode(c)),
);
export const anyUnicodeString = (maxLength: number) => fc.string({ unit: anyUnit, maxLength });

/** Hostile strings for a text field with these limits (some valid: the rules say where the line is). */
export function hostileText(max = 100): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'a\u0000b', '\u0000', 'a\ud800b', '\udc00', 'x\ud83d', 'x\u202eevil', '\u2066x\u2069', '\u0085', '\u001b[31m', 'a\r\nb', 'a\nb', 'a\tb',
      '\u2028', '\ufeff', '\uffff', '\u{10ffff}', '   ', "'; drop table users; --", '%s%n%x', '${x}', '<script>alert(1)</script>',
      'a' + '\u0301'.repeat(500), // Zalgo: combining marks on one letter
      'e\u0301'.repeat(max), // decomposed: NFC makes it exactly max
      '\u1100\u1161\u11a8'.repeat(max), // Hangul jamo: NFC makes it exactly max syllables
      '😀'.repeat(max), // 4-byte characters, exactly at the maximum
      '😀'.repeat(max + 1),
      '👨‍👩‍👧'.repeat(Math.ceil(max / 5)), // one grapheme, five code points
      'x'.repeat(max + 1),
      'x'.repeat(100_000),
    ),
    anyUnicodeString(40),
  );
}

export interface GenerationContext {
  /** Known ids for an input key (workspaceId, conversationId, agentIds…): most generated ids are these. */
  ids(key: string): string[];
  /** Known email addresses (existing users). */
  emails: string[];
  /** False for inputs that must survive the WebSocket client (no RawJson). */
  raw: boolean;
  /**
   * Share of leaves replaced by a hostile value (0..1). At 0 the values fit the schema's shape
   * (ids, enums, lengths), so most calls are accepted and change something.
   */
  hostility: number;
  /** Likelier values for some keys (e.g. recent times for `ts`, `from`, `to`), mixed with the generated ones. */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
}

interface Def {
  type: string;
  checks?: { _zod: { def: Record<string, unknown> } }[];
  [key: string]: unknown;
}
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (def: Def) => (def.checks ?? []).map((c) => c._zod.def);

function validText(meta: TextMeta, ctx: GenerationContext, key: string): fc.Arbitrary<string> {
  if (meta.field === 'Id') return fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...ids(ctx, key)) }, { weight: 1, arbitrary: fc.uuid() });
  if (meta.field === 'Email') return fc.oneof(fc.constantFrom(...ctx.emails), fc.emailAddress().filter((e) => e.length <= meta.max));
  if (meta.pattern) return fc.stringMatching(meta.pattern).filter((s) => s.length >= meta.min && s.length <= meta.max);
  if (meta.kind === 'token') return fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: meta.min, maxLength: Math.min(meta.max, 64) });
  return fc.oneof(
    fc.string({ unit: 'grapheme', minLength: meta.min, maxLength: Math.min(meta.max, 40) }),
    fc.constant('Ωmega ☕ ' + 'ж'.repeat(Math.max(0, meta.max - 8))),
  );
}

function ids(ctx: GenerationContext, key: string): string[] {
  const known = ctx.ids(key);
  return known.length ? known : ['00000000-0000-4000-8000-000000000000'];
}

function numberArbitrary(def: Def, hostile: boolean): fc.Arbitrary<number> {
  let min = -1e12;
  let max = 1e12;
  let int = false;
  for (const c of checksOf(def)) {
    if (c.check === 'number_format' && String(c.format).includes('int')) int = true;
    if (c.check === 'greater_than') min = Math.max(min, Number(c.value) + (c.inclusive ? 0 : int ? 1 : 1e-9));
    if (c.check === 'less_than') max = Math.min(max, Number(c.value) - (c.inclusive ? 0 : int ? 1 : 1e-9));
  }
  const inRange = int
    ? fc.integer({ min: Math.ceil(Math.max(min, -(2 ** 31))), max: Math.floor(Math.min(max, 2 ** 31 - 1)) })
    : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const edges = [min, max, min - 1, max + 1, 0, -1].filter(Number.isFinite);
  return hostile ? fc.oneof({ weight: 6, arbitrary: inRange }, { weight: 1, arbitrary: fc.constantFrom(...edges) }) : inRange;
}

/**
 * Values for `schema`: mostly of its shape (so calls get past validation and change things),
 * with hostile leaves at rate `ctx.hostility`.
 */
export function arbitraryFor(schema: unknown, ctx: GenerationContext, key = ''): fc.Arbitrary<unknown> {
  const override = ctx.overrides?.[key];
  const generated = shapedArbitrary(schema, ctx, key);
  const shaped = override ? fc.oneof({ weight: 3, arbitrary: override }, { weight: 1, arbitrary: generated }) : generated;
  if (ctx.hostility <= 0) return shaped;
  const hostile = ctx.raw ? hostileValue : hostileValue.filter((v) => !holdsRaw(v));
  const weight = Math.max(1, Math.round(100 * ctx.hostility));
  return fc.oneof({ weight: 100 - weight, arbitrary: shaped }, { weight, arbitrary: hostile });
}

function shapedArbitrary(schema: unknown, ctx: GenerationContext, key: string): fc.Arbitrary<unknown> {
  if (textTypes.has(schema as never)) {
    const meta = textTypes.get(schema as never) as TextMeta;
    if (ctx.hostility <= 0) return validText(meta, ctx, key);
    const hostileWeight = meta.field === 'Id' ? 1 : 3;
    return fc.oneof({ weight: 6, arbitrary: validText(meta, ctx, key) }, { weight: hostileWeight, arbitrary: hostileText(meta.max) });
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>;
      const fields = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, arbitraryFor(v, ctx, k)]));
      const full = fc.record(fields) as fc.Arbitrary<Record<string, unknown>>;
      if (ctx.hostility <= 0) return full;
      // Mostly every key present (so the call gets far), sometimes keys left out or added.
      return fc.oneof(
        { weight: 8, arbitrary: full },
        { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
        { weight: 1, arbitrary: full.map((v) => ({ ...v, extra: 'x', constructor: 'y' })) },
      );
    }
    case 'array': {
      const lengths = checksOf(def);
      const minLength = Number(lengths.find((c) => c.check === 'min_length')?.minimum ?? 0);
      const maxLength = Number(lengths.find((c) => c.check === 'max_length')?.maximum ?? 5);
      const element = arbitraryFor(def.element, ctx, key);
      const withinLimit = fc.array(element, { minLength, maxLength: Math.min(maxLength, minLength + 4) });
      // One over the maximum, where that is a request of sensible size (not 10,001 samples).
      return maxLength > 100 || ctx.hostility <= 0 ? withinLimit : fc.oneof(
        { weight: 8, arbitrary: withinLimit },
        { weight: 1, arbitrary: fc.array(element, { minLength: maxLength + 1, maxLength: maxLength + 1 }) },
      );
    }
    case 'record':
      // Keys are strings in JSON: the key schema's own strings (hostile text included), never other values.
      return fc.dictionary(shapedArbitrary(def.keyType, ctx, key).filter((k): k is string => typeof k === 'string'), arbitraryFor(def.valueType, ctx, key), { maxKeys: 4 })
        .map((d) => ({ ...d }));
    case 'optional':
      return fc.option(arbitraryFor(def.innerType, ctx, key), { nil: undefined, freq: 4 });
    case 'nullable':
      return fc.option(arbitraryFor(def.innerType, ctx, key), { nil: null, freq: 4 });
    case 'default':
    case 'prefault':
      return fc.option(arbitraryFor(def.innerType, ctx, key), { nil: undefined, freq: 4 });
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return arbitraryFor(def.innerType, ctx, key);
    case 'pipe':
      return arbitraryFor(def.in, ctx, key);
    case 'union':
      return fc.oneof(...(def.options as unknown[]).map((o) => arbitraryFor(o, ctx, key)));
    case 'intersection':
      return arbitraryFor(def.left, ctx, key);
    case 'lazy':
      return arbitraryFor((def.getter as () => unknown)(), ctx, key);
    case 'enum': {
      const entries = fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
      return ctx.hostility <= 0 ? entries : fc.oneof({ weight: 8, arbitrary: entries }, { weight: 1, arbitrary: hostileText(20) });
    }
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'number':
      return numberArbitrary(def, ctx.hostility > 0);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Half the time a call of the right shape (accepted, mostly), half the time with hostile leaves. */
export const inputArbitrary = (schema: unknown, ctx: GenerationContext): fc.Arbitrary<unknown> =>
  fc.oneof(arbitraryFor(schema, { ...ctx, hostility: 0 }), arbitraryFor(schema, ctx));
