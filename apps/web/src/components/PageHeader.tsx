// Title row of a workspace page.
import type { JSX } from 'solid-js';

export function PageHeader(props: { title: string; description?: string; actions?: JSX.Element }) {
  return (
    <header class="page-header">
      <div>
        <h1 class="page-header__title">{props.title}</h1>
        {props.description && <p class="page-header__description">{props.description}</p>}
      </div>
      {props.actions && <div class="page-header__actions">{props.actions}</div>}
    </header>
  );
}
