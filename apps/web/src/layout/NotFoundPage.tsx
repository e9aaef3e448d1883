// Any path the client does not know.
import { A } from '@solidjs/router';
import { EmptyState } from '../components/EmptyState.tsx';

export function NotFoundPage() {
  return (
    <EmptyState icon="alert" title="Page not found">
      <p>There is nothing at this address.</p>
      <A class="button" href="/">
        Go to my workspace
      </A>
    </EmptyState>
  );
}
