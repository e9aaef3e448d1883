// What a tool that changes things answered, once per run and call (conversations/tool-ledger.ts):
// a retried run gets the stored answer instead of changing things twice.
import { defineEntity, p } from '@mikro-orm/core';
import { Run } from './conversation.ts';

export const ToolEffectEntity = defineEntity({
  name: 'ToolEffect',
  tableName: 'tool_effects',
  properties: {
    run: () => p.manyToOne(Run).ref().primary()
      .deleteRule('cascade').updateRule('no action').foreignKeyName('tool_effects_run_id_fkey'),
    /** The tool, a hash of its arguments and how many times this run made that same call before. */
    callKey: p.string().length(200).primary(),
    outcome: p.json(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
