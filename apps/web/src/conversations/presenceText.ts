// Who else is in a conversation, as text: the initials on a viewer's avatar and the "… is
// typing" line.

/** "Bea Brook" → "BB": the avatar text of a viewer. */
export function initialsOf(name: string): string {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]!.toUpperCase()).join('') || '?';
}

/** "" for nobody, "Ann is typing…", "Ann and Bea are typing…", "Ann, Bea and Cid are typing…". */
export function describeTyping(names: readonly string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} are typing…`;
}
