// The signed-in user's token: one reactive signal mirrored to localStorage.
import { createSignal } from 'solid-js';

const storageKey = 'tandem.token';

function readStoredToken(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

const [token, setTokenSignal] = createSignal<string | null>(readStoredToken());

/** The current user token, or null when signed out. Reactive. */
export { token };

export function setToken(value: string | null): void {
  try {
    if (value) localStorage.setItem(storageKey, value);
    else localStorage.removeItem(storageKey);
  } catch {
    // Private mode or storage disabled: the session then lasts only for this tab.
  }
  setTokenSignal(value);
}

// Another tab signing in or out changes this tab's session too.
if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === storageKey) setTokenSignal(event.newValue);
  });
}
