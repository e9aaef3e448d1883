// A deliberately tiny markdown renderer for assistant replies. It builds elements, never HTML
// strings, so any text the model or a user wrote is shown as text.
import { For, Match, Switch, type JSX } from 'solid-js';

type Block =
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'table'; header: string[]; rows: string[][] };

const LIST_ITEM = /^\s*(?:([-*+])|(\d+)[.)])\s+(.*)$/;
const HEADING = /^(#{1,4})\s+(.*)$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function splitRow(line: string): string[] {
  return line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((cell) => cell.trim());
}

export function parseBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (!line.trim()) {
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]?.length ?? 1, text: heading[2] ?? '' });
      i++;
      continue;
    }
    if (line.trim().startsWith('|')) {
      const tableLines: string[] = [];
      while (i < lines.length && (lines[i] ?? '').trim().startsWith('|')) tableLines.push(lines[i++] ?? '');
      const [head, ...rest] = tableLines;
      const body = rest[0] !== undefined && TABLE_RULE.test(rest[0]) ? rest.slice(1) : rest;
      blocks.push({ kind: 'table', header: splitRow(head ?? ''), rows: body.map(splitRow) });
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      const items: string[] = [];
      while (i < lines.length) {
        const next = LIST_ITEM.exec(lines[i] ?? '');
        if (!next || (next[2] !== undefined) !== ordered) break;
        items.push(next[3] ?? '');
        i++;
      }
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length) {
      const next = lines[i] ?? '';
      if (!next.trim() || HEADING.test(next) || LIST_ITEM.test(next) || next.trim().startsWith('|')) break;
      paragraph.push(next);
      i++;
    }
    blocks.push({ kind: 'paragraph', lines: paragraph });
  }
  return blocks;
}

const INLINE = /(\*\*[^*]+\*\*|`[^`]+`|\*[^*\s][^*]*\*|_[^_\s][^_]*_)/g;

/** Inline emphasis and code, as elements; everything else is a text node. */
export function renderInline(text: string): JSX.Element[] {
  const out: JSX.Element[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const token = match[0];
    const at = match.index;
    if (at > last) out.push(text.slice(last, at));
    if (token.startsWith('**')) out.push(<strong>{token.slice(2, -2)}</strong>);
    else if (token.startsWith('`')) out.push(<code>{token.slice(1, -1)}</code>);
    else out.push(<em>{token.slice(1, -1)}</em>);
    last = at + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Paragraphs, headings, lists, pipe tables, **bold**, *italic* and `code`; nothing more. */
export function Markdown(props: { text: string }) {
  const blocks = () => parseBlocks(props.text);
  return (
    <div class="markdown">
      <For each={blocks()}>
        {(block) => (
          <Switch>
            <Match when={block.kind === 'heading' && block}>
              {(b) => <p class="markdown__heading">{renderInline(b().text)}</p>}
            </Match>
            <Match when={block.kind === 'paragraph' && block}>
              {(b) => (
                <p>
                  <For each={b().lines}>
                    {(line, index) => (
                      <>
                        {index() > 0 && <br />}
                        {renderInline(line)}
                      </>
                    )}
                  </For>
                </p>
              )}
            </Match>
            <Match when={block.kind === 'list' && block}>
              {(b) => {
                const items = () => <For each={b().items}>{(item) => <li>{renderInline(item)}</li>}</For>;
                return b().ordered ? <ol>{items()}</ol> : <ul>{items()}</ul>;
              }}
            </Match>
            <Match when={block.kind === 'table' && block}>
              {(b) => (
                <div class="markdown__table-wrap">
                  <table class="table table--compact">
                    <thead>
                      <tr>
                        <For each={b().header}>{(cell) => <th scope="col">{renderInline(cell)}</th>}</For>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={b().rows}>
                        {(row) => (
                          <tr>
                            <For each={row}>{(cell) => <td>{renderInline(cell)}</td>}</For>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </div>
              )}
            </Match>
          </Switch>
        )}
      </For>
    </div>
  );
}
