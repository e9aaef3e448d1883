// The states of a list or report that is loaded from the server, in one place: a loading card,
// the error, an empty state, then the content with the loaded data.
import { Match, Switch, type Accessor, type JSX } from 'solid-js';
import { describeError } from '../errors.ts';
import { ErrorNote } from './ErrorNote.tsx';

/** What QueryState reads of a query: TanStack Query's flags, or the same from a subscription. */
export interface QueryStatus {
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

export function QueryState<T>(props: {
  query: QueryStatus;
  /** What the content shows; undefined once loaded counts as empty (an agent that is not there). */
  data: T | undefined;
  /** The loading card's text, e.g. "Loading members…". */
  loading: string;
  errorTestId?: string;
  /** Shown when the data is missing or `isEmpty` says so. */
  empty?: JSX.Element;
  /** Default: an array with no items. */
  isEmpty?: (data: T) => boolean;
  children: (data: Accessor<NonNullable<T>>) => JSX.Element;
}) {
  const isEmpty = () => {
    const data = props.data;
    if (data === undefined) return true;
    return props.isEmpty ? props.isEmpty(data) : Array.isArray(data) && data.length === 0;
  };
  return (
    <Switch>
      <Match when={props.query.isPending}>
        <div class="card skeleton" aria-busy="true">
          {props.loading}
        </div>
      </Match>
      <Match when={props.query.isError}>
        <ErrorNote message={describeError(props.query.error).message} testId={props.errorTestId} />
      </Match>
      <Match when={isEmpty()}>{props.empty}</Match>
      <Match when={props.data}>{(data) => props.children(data)}</Match>
    </Switch>
  );
}
