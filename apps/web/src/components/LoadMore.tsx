// The "Load more" button under a paged list (any infinite query with a next page).
import { Show } from 'solid-js';

export function LoadMore(props: { page: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown } }) {
  return (
    <Show when={props.page.hasNextPage}>
      <div class="row row--center">
        <button class="button" type="button" disabled={props.page.isFetchingNextPage} onClick={() => void props.page.fetchNextPage()}>
          {props.page.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      </div>
    </Show>
  );
}
