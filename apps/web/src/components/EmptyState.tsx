// The centred "nothing here yet" panel: what will appear, and optionally what to do.
import type { JSX } from 'solid-js';
import { Icon, type IconName } from './Icon.tsx';

export function EmptyState(props: { icon: IconName; title: string; children?: JSX.Element; testId?: string }) {
  return (
    <div class="empty-state" data-testid={props.testId}>
      <div class="empty-state__icon">
        <Icon name={props.icon} size={28} />
      </div>
      <h2 class="empty-state__title">{props.title}</h2>
      <div class="empty-state__body">{props.children}</div>
    </div>
  );
}
