// The text types every string input goes through (issue 14): names, titles, labels, messages,
// opaque tokens and secrets. Each refuses what PostgreSQL or a reader cannot take, in words.
import { z } from 'zod';

export type TextKind = 'singleLine' | 'multiLine' | 'token' | 'secret';

export interface TextMeta {
  kind: TextKind;
  /** The field as a person reads it, e.g. "Title"; starts every message about it. */
  field: string;
  min: number;
  max: number;
  /** Tokens only: the form the value must match beside visible ASCII (tests generate from it). */
  pattern?: RegExp;
}

/**
 * Every text type is registered here. A test walks the inputs of every procedure and refuses
 * any string schema that is not in this registry (a bare `z.string()` at a boundary). Ask with
 * `has()`: `get()` also answers for schemas derived from a text type (`.max()` on one).
 */
export const textTypes = z.registry<TextMeta>();

/** C0 and C1 controls and DEL, but tab and newline: one-line text refuses those by name below. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const LINE_BREAK = /[\n\u2028\u2029]/;
const TAB = /\t/;
/** Embedding, override and isolate controls: in a one-line name they reorder the text around it. */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Visible ASCII: what tokens, ids, cursors and email addresses are made of. */
const TOKEN_CHARS = /^[\x21-\x7e]*$/;

/**
 * Length in code points (what PostgreSQL's varchar(n) counts), without building an array.
 *
 * Every text type counts lengths this way, after NFC normalisation and trimming, not in UTF-16
 * units: an emoji or a rare CJK character counts once, and an accent composes with its letter.
 * It is exactly how PostgreSQL counts `varchar(n)` and `char_length`, so a schema maximum and its
 * column size are the same number (text-limits.server.test.ts compares them). Graphemes
 * (Intl.Segmenter) would match what people see for emoji sequences too, but one grapheme can
 * carry any number of code points and overflow the column; truncateText cuts at graphemes.
 */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * `s` cut to at most `max` code points at a grapheme boundary (never half an emoji or a letter
 * without its accent), trailing spaces dropped. For values derived from input, e.g. the default
 * workspace name made from a user's name.
 */
export function truncateText(s: string, max: number): string {
  if (codePointLength(s) <= max) return s;
  let out = '';
  let used = 0;
  for (const { segment } of graphemes.segment(s)) {
    const size = codePointLength(segment);
    if (used + size > max) break;
    out += segment;
    used += size;
  }
  return out.trimEnd();
}

interface TextOptions {
  /** Fewest characters once trimmed; 1 unless given (an empty value reads as "is required"). */
  min?: number;
  max: number;
}

/**
 * Adds an issue whose message names its field in words ("Title can't contain …"); `params`
 * tells the API's error formatter not to prefix the field's path to it again.
 */
function refuse(ctx: z.RefinementCtx, message: string): void {
  ctx.addIssue({ code: 'custom', message, params: { namesField: true } });
}

function lengthIssues(meta: TextMeta, value: string, ctx: z.RefinementCtx): void {
  const n = codePointLength(value);
  if (n < meta.min)
    refuse(ctx, meta.min === 1 ? `${meta.field} is required` : `${meta.field} must be at least ${meta.min} characters`);
  else if (n > meta.max)
    refuse(ctx, `${meta.field} can be at most ${meta.max.toLocaleString('en-US')} characters`);
}

const typeError = (field: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be text`),
});

function human(kind: 'singleLine' | 'multiLine', field: string, opts: TextOptions) {
  const meta: TextMeta = { kind, field, min: opts.min ?? 1, max: opts.max };
  return z
    .string(typeError(field))
    .overwrite((s) => (kind === 'multiLine' ? s.replace(/\r\n?/g, '\n') : s).normalize('NFC').trim())
    .superRefine((s, ctx) => {
      // One message per rule broken; the length rule last, as it is the least surprising.
      if (LONE_SURROGATE.test(s)) refuse(ctx, `${field} can't contain broken characters (unpaired UTF-16 surrogates)`);
      if (CONTROL.test(s)) refuse(ctx, `${field} can't contain control characters`);
      if (kind === 'singleLine' && LINE_BREAK.test(s)) refuse(ctx, `${field} can't contain line breaks`);
      if (kind === 'singleLine' && TAB.test(s)) refuse(ctx, `${field} can't contain tabs`);
      if (kind === 'singleLine' && BIDI_CONTROL.test(s)) refuse(ctx, `${field} can't contain text-direction override characters`);
      lengthIssues(meta, s, ctx);
    })
    .register(textTypes, meta);
}

/** A one-line human text: a person's or workspace's name, a title, a label. NFC, trimmed. */
export const singleLineText = (field: string, opts: TextOptions) => human('singleLine', field, opts);

/** Human text that may span lines (newline and tab allowed; CRLF becomes LF). NFC, trimmed. */
export const multiLineText = (field: string, opts: TextOptions) => human('multiLine', field, opts);

/**
 * An opaque string compared byte for byte (a token, cursor, client id): visible ASCII only,
 * neither normalised nor trimmed; `pattern` narrows it further, `patternMessage` says how.
 */
export function tokenText(field: string, opts: TextOptions & { pattern?: RegExp; patternMessage?: string }) {
  const meta: TextMeta = { kind: 'token', field, min: opts.min ?? 1, max: opts.max, ...(opts.pattern ? { pattern: opts.pattern } : {}) };
  return z
    .string(typeError(field))
    .superRefine((s, ctx) => {
      if (!TOKEN_CHARS.test(s)) refuse(ctx, `${field} can only contain visible ASCII characters (no spaces)`);
      else if (opts.pattern && !opts.pattern.test(s)) refuse(ctx, `${field} ${opts.patternMessage ?? 'is not in the expected form'}`);
      lengthIssues(meta, s, ctx);
    })
    .register(textTypes, meta);
}

/**
 * A secret typed by a person (a password): kept exactly as typed — not trimmed or normalised, so
 * existing passwords keep matching — but never with control characters or broken surrogates.
 */
export function secretText(field: string, opts: TextOptions) {
  const meta: TextMeta = { kind: 'secret', field, min: opts.min ?? 1, max: opts.max };
  return z
    .string(typeError(field))
    .superRefine((s, ctx) => {
      if (LONE_SURROGATE.test(s)) refuse(ctx, `${field} can't contain broken characters (unpaired UTF-16 surrogates)`);
      if (CONTROL.test(s)) refuse(ctx, `${field} can't contain control characters`);
      lengthIssues(meta, s, ctx);
    })
    .register(textTypes, meta);
}

/** Registers a fixed-format string schema (uuid, ISO date-time) whose own check admits only safe ASCII. */
export function asTextType<T extends z.ZodType<string>>(schema: T, meta: TextMeta): T {
  textTypes.add(schema, meta);
  return schema;
}
