// The text types: what each refuses and with which words, how it tidies, how it counts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, multiLineText, secretText, singleLineText, textTypes, tokenText, truncateText } from '../src/text.ts';

const messages = (schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown) =>
  schema.safeParse(value).error?.issues.map((i) => i.message) ?? [];

describe('singleLineText', () => {
  const title = singleLineText('Title', { max: 5 });

  it.each([
    ['a\u0000b', "Title can't contain control characters"],
    ['a\u0085b', "Title can't contain control characters"], // C1 (NEL)
    ['a\u007fb', "Title can't contain control characters"],
    ['a\ud800b', "Title can't contain broken characters (unpaired UTF-16 surrogates)"],
    ['a\udc00', "Title can't contain broken characters (unpaired UTF-16 surrogates)"],
    ['a\nb', "Title can't contain line breaks"],
    ['a\u2028b', "Title can't contain line breaks"],
    ['a\tb', "Title can't contain tabs"],
    ['\u202eabc', "Title can't contain text-direction override characters"],
    ['', 'Title is required'],
    ['   ', 'Title is required'],
    ['abcdef', 'Title can be at most 5 characters'],
    [42, 'Title must be text'],
    [undefined, 'Title is required'],
  ])('refuses %j: "%s"', (value, message) => {
    expect(messages(title, value)).toEqual([message]);
  });

  it('trims, normalises to NFC and counts code points: 4-byte characters and composed accents count once', () => {
    expect(title.parse('  abc  ')).toBe('abc');
    expect(title.parse('e\u0301'.repeat(5))).toBe('\u00e9'.repeat(5)); // 10 code points in, 5 after NFC
    expect(title.parse('😀'.repeat(5))).toBe('😀'.repeat(5)); // 10 UTF-16 units
    expect(messages(title, '😀'.repeat(6))).toEqual(['Title can be at most 5 characters']);
    expect(messages(title, 'a' + '\u0301'.repeat(6))).toEqual(['Title can be at most 5 characters']); // á + 5 marks: marks count
  });

  it('is registered with its limits, and a schema derived from it is not', () => {
    expect(textTypes.has(title)).toBe(true);
    expect(textTypes.get(title)).toMatchObject({ kind: 'singleLine', field: 'Title', min: 1, max: 5 });
    expect(textTypes.has(title.max(3))).toBe(false);
  });

  it('never lets through what PostgreSQL refuses, whatever the input (property)', () => {
    const unit = fc.oneof(fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('\u0000', '\ud800', '😀'));
    fc.assert(fc.property(fc.string({ unit, maxLength: 12 }), (s) => {
      const parsed = title.safeParse(s);
      if (!parsed.success) return;
      // eslint-disable-next-line no-control-regex -- finding control characters is the point
      expect(parsed.data).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      expect(parsed.data).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(parsed.data).toBe(parsed.data.normalize('NFC').trim());
      expect(codePointLength(parsed.data)).toBeLessThanOrEqual(5);
    }), { numRuns: 2000, seed: 14 });
  });
});

describe('multiLineText', () => {
  const question = multiLineText('Question', { max: 20 });

  it('keeps newlines and tabs, makes CRLF and CR newlines, and refuses other controls', () => {
    expect(question.parse(' a\r\nb\rc\td ')).toBe('a\nb\nc\td');
    expect(messages(question, 'a\u0000b')).toEqual(["Question can't contain control characters"]);
    expect(messages(question, 'a\u000bb')).toEqual(["Question can't contain control characters"]); // vertical tab
    expect(question.parse('\u202eabc')).toBe('\u202eabc'); // a message may quote right-to-left text as it is
  });
});

describe('tokenText', () => {
  const cursor = tokenText('Cursor', { max: 6, pattern: /^\d+$/, patternMessage: 'must be digits' });

  it('keeps the value exactly and refuses anything but visible ASCII, then the pattern', () => {
    expect(cursor.parse('123')).toBe('123');
    expect(messages(cursor, ' 123')).toEqual(['Cursor can only contain visible ASCII characters (no spaces)']);
    expect(messages(cursor, '12\u0000')).toEqual(['Cursor can only contain visible ASCII characters (no spaces)']);
    expect(messages(cursor, '12a')).toEqual(['Cursor must be digits']);
    expect(messages(cursor, '1234567')).toEqual(['Cursor can be at most 6 characters']);
  });
});

describe('secretText', () => {
  const password = secretText('Password', { min: 8, max: 200 });

  it('keeps spaces and composition as typed, and refuses NUL and broken surrogates', () => {
    expect(password.parse(' e\u0301 secret ')).toBe(' e\u0301 secret ');
    expect(messages(password, 'short')).toEqual(['Password must be at least 8 characters']);
    expect(messages(password, 'long\u0000enough')).toEqual(["Password can't contain control characters"]);
    expect(messages(password, 'long\ud800enough')).toEqual(["Password can't contain broken characters (unpaired UTF-16 surrogates)"]);
  });
});

describe('truncateText', () => {
  it('cuts to at most max code points at a grapheme boundary and drops trailing spaces', () => {
    expect(truncateText('short', 10)).toBe('short');
    expect(truncateText('abcdef', 4)).toBe('abcd');
    expect(truncateText('ab😀cd', 3)).toBe('ab😀');
    expect(truncateText('ab👨‍👩‍👧cd', 4)).toBe('ab'); // the family (5 code points) does not fit: left out whole
    expect(truncateText('abc e\u0301', 6)).toBe('abc e\u0301');
    expect(truncateText('abc e\u0301', 5)).toBe('abc'); // never the e without its accent
  });
});
