/** ConfigPort on `host_config`: one value per (path, scope); setting null removes it. */
import type { ClockPort, ConfigPort } from '../../src/host/ports.ts';
import type { Knex } from 'knex';

export const DEFAULT_SCOPE = 'default';

export class HostConfig implements ConfigPort {
  constructor(
    private readonly knex: Knex,
    private readonly clock: ClockPort,
  ) {}

  async get(path: string, scope = DEFAULT_SCOPE): Promise<string | null> {
    const row = await this.knex('host_config').where({ path, scope }).first('value');
    return row ? String(row.value) : null;
  }

  async set(path: string, value: string | null, scope = DEFAULT_SCOPE): Promise<void> {
    if (path === '' || path.length > 255) throw new RangeError('Config path must be 1..255 characters');
    if (value === null) {
      await this.knex('host_config').where({ path, scope }).delete();
      return;
    }
    await this.knex('host_config')
      .insert({ path, scope, value, updated_at: this.clock.now() })
      .onConflict(['path', 'scope'])
      .merge(['value', 'updated_at']);
  }
}
