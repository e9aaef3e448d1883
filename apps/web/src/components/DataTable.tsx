// A table with a header row from column names; rows come as children. Actions columns have a
// label for screen readers only.
import { For, type JSX } from 'solid-js';

export interface Column {
  label: string;
  numeric?: boolean;
  /** Read out but not shown (an actions column). */
  hidden?: boolean;
}

/** The last column of a table whose rows end in buttons. */
export const ACTIONS_COLUMN: Column = { label: 'Actions', hidden: true };

export function DataTable(props: { columns: (string | Column)[]; testId?: string; compact?: boolean; children: JSX.Element }) {
  const columnOf = (column: string | Column): Column => (typeof column === 'string' ? { label: column } : column);
  return (
    <table class={props.compact ? 'table table--compact' : 'table'} data-testid={props.testId}>
      <thead>
        <tr>
          <For each={props.columns.map(columnOf)}>
            {(column) => (
              <th scope="col" class={column.numeric ? 'numeric' : undefined}>
                {column.hidden ? <span class="visually-hidden">{column.label}</span> : column.label}
              </th>
            )}
          </For>
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}
