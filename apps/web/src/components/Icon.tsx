// A handful of stroke icons drawn inline, so the client ships no icon font.
import type { JSX } from 'solid-js';

const paths = {
  sessions: 'M4 5h16v10H8l-4 4V5z M8 9h8 M8 12h5',
  metrics: 'M4 19V5 M4 19h16 M8 15l3-4 3 2 5-6',
  jobs: 'M5 4h14v16H5z M9 8h6 M9 12h6 M9 16h3',
  audit: 'M12 3l7 3v5c0 4.5-3 8-7 10-4-2-7-5.5-7-10V6l7-3z M9 12l2 2 4-4',
  members: 'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z M3 20c0-3.3 2.7-6 6-6s6 2.7 6 6 M16 4.5a3.5 3.5 0 0 1 0 6.5 M18 14.5c1.8.8 3 2.9 3 5.5',
  plus: 'M12 5v14 M5 12h14',
  signOut: 'M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h10',
  sun: 'M12 16a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M12 2v2 M12 20v2 M4.9 4.9l1.4 1.4 M17.7 17.7l1.4 1.4 M2 12h2 M20 12h2 M4.9 19.1l1.4-1.4 M17.7 6.3l1.4-1.4',
  moon: 'M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z',
  monitor: 'M3 5h18v11H3z M8 20h8 M12 16v4',
  lock: 'M6 11h12v9H6z M8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  alert: 'M12 3l10 18H2L12 3z M12 10v5 M12 18v.01',
  trash: 'M4 7h16 M10 11v6 M14 11v6 M6 7l1 13h10l1-13 M9 7V4h6v3',
  tasks: 'M4 6l2 2 4-4 M13 7h7 M4 15l2 2 4-4 M13 16h7',
  key: 'M8 15a4 4 0 1 1 0-8 4 4 0 0 1 0 8z M12 11h9 M18 11v3 M15 11v2',
} as const;

export type IconName = keyof typeof paths;

export function Icon(props: { name: IconName; size?: number } & JSX.SvgSVGAttributes<SVGSVGElement>) {
  return (
    <svg
      class="icon"
      width={props.size ?? 18}
      height={props.size ?? 18}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={paths[props.name]} />
    </svg>
  );
}
