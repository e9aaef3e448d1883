// The one TanStack Query client; an UNAUTHORIZED answer anywhere ends the session.
import { MutationCache, QueryCache, QueryClient } from '@tanstack/solid-query';
import { errorCode, isUnauthorized } from './errors.ts';
import { setToken, token } from './session.ts';

function endSessionIfUnauthorized(error: unknown): void {
  // Login itself answers UNAUTHORIZED for a wrong password; only a held token can be stale.
  if (isUnauthorized(error) && token()) {
    setToken(null);
    queryClient.clear();
  }
}

const noRetryCodes = new Set(['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST', 'CONFLICT', 'TOO_MANY_REQUESTS']);

export const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: endSessionIfUnauthorized }),
  mutationCache: new MutationCache({ onError: endSessionIfUnauthorized }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      retry: (failures, error) => !noRetryCodes.has(errorCode(error) ?? '') && failures < 2,
    },
  },
});
