// Every migration, in order. Listed explicitly so they load the same under tsx, vitest and builds.
import { Migration20261123000000Foundation } from './Migration20261123000000Foundation.ts';

export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
];
