/**
 * `amazon_sync_state.resume_at`: when a run that Amazon's rate limit stopped can go on (its next
 * token is due). The every-minute cron resumes the store then instead of at the next 5-minute run,
 * so a backlog drains at Amazon's pace.
 */
import type { Knex } from 'knex';
import { dropColumn } from '../src/db/schema.ts';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('amazon_sync_state', (t) => {
    t.datetime('resume_at', { precision: 3 }).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await dropColumn(knex, 'amazon_sync_state', 'resume_at');
}
