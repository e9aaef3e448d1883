// Every migration, in order. Listed explicitly so they load the same under tsx, vitest and builds.
import { Migration20261123000000Foundation } from './Migration20261123000000Foundation.ts';
import { Migration20261123090000Conversations } from './Migration20261123090000Conversations.ts';

export const migrations = [
  { name: 'Migration20261123000000Foundation', class: Migration20261123000000Foundation },
  { name: 'Migration20261123090000Conversations', class: Migration20261123090000Conversations },
];
import { Migration20261123100000Sales } from './Migration20261123100000Sales.ts'; migrations.push({ name: 'Migration20261123100000Sales', class: Migration20261123100000Sales });
