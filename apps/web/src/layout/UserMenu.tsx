// Bottom of the sidebar: who is signed in, their account page, the theme toggle, and sign out.
import { A, useNavigate } from '@solidjs/router';
import { useQueryClient } from '@tanstack/solid-query';
import { Show } from 'solid-js';
import { Icon } from '../components/Icon.tsx';
import { createMeQuery } from '../me.ts';
import { setToken } from '../session.ts';
import { cycleTheme, theme } from '../theme.ts';
import { trpc } from '../trpc.ts';

function makeInitials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0]?.[0], parts[parts.length - 1]?.[0]] : [parts[0]?.[0], parts[0]?.[1]];
  return letters.filter(Boolean).join('').toUpperCase() || '?';
}

const themeLabels = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' } as const;
const themeIcons = { system: 'monitor', light: 'sun', dark: 'moon' } as const;

export function UserMenu() {
  const me = createMeQuery();
  const navigate = useNavigate();
  const queryClient = useQueryClient();

  const signOut = async () => {
    try {
      await trpc.auth.logout.mutate();
    } catch {
      // Signing out locally must work even when the server cannot be reached.
    }
    setToken(null);
    queryClient.clear();
    navigate('/login', { replace: true });
  };

  return (
    <Show when={me.data?.user}>
      {(user) => (
        <div class="user-menu">
          <div class="user-menu__who">
            <span class="avatar" aria-hidden="true">
              {makeInitials(user().name)}
            </span>
            <div class="user-menu__text">
              <span class="user-menu__name" data-testid="user-name">
                {user().name}
              </span>
              <span class="user-menu__email">{user().email}</span>
            </div>
          </div>
          <div class="user-menu__actions">
            <A class="button button--ghost button--small" href="/account" title="Account and password">
              <Icon name="lock" size={16} />
              <span>Account</span>
            </A>
            <button
              class="button button--ghost button--small"
              type="button"
              onClick={cycleTheme}
              title="Switch colour theme"
              aria-label={`${themeLabels[theme()]} (click to change)`}
            >
              <Icon name={themeIcons[theme()]} size={16} />
              <span>{themeLabels[theme()].replace(' theme', '')}</span>
            </button>
            <button class="button button--ghost button--small" type="button" onClick={() => void signOut()}>
              <Icon name="signOut" size={16} />
              <span>Sign out</span>
            </button>
          </div>
        </div>
      )}
    </Show>
  );
}
