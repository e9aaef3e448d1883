// A coloured pill for a workspace role.
import type { Role } from '../trpc.ts';

const labels: Record<Role, string> = { admin: 'Admin', member: 'Member', viewer: 'Viewer' };

export function RoleBadge(props: { role: Role }) {
  return <span class={`badge badge--${props.role}`}>{labels[props.role]}</span>;
}

export const roleOptions: { value: Role; label: string }[] = [
  { value: 'admin', label: 'Admin' },
  { value: 'member', label: 'Member' },
  { value: 'viewer', label: 'Viewer' },
];
