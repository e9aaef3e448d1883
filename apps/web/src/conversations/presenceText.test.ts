// The text of presence: avatar initials and the typing line.
import { describe, expect, it } from 'vitest';
import { describeTyping, initialsOf } from './presenceText.ts';

describe('initialsOf', () => {
  it.each([
    ['Bea Brook', 'BB'],
    ['ann', 'A'],
    ['  Cid   van  Cole ', 'CV'],
    ['', '?'],
    ['   ', '?'],
  ])('%j → %s', (name, initials) => expect(initialsOf(name)).toBe(initials));
});

describe('describeTyping', () => {
  it.each([
    [[], ''],
    [['Ann'], 'Ann is typing…'],
    [['Ann', 'Bea'], 'Ann and Bea are typing…'],
    [['Ann', 'Bea', 'Cid'], 'Ann, Bea and Cid are typing…'],
  ])('%j', (names, text) => expect(describeTyping(names)).toBe(text));
});
