import { expect } from 'chai';
import { parseLogLevel } from '../../sandbox/host/logger.ts';
import { memoryLogger } from '../support/logs.ts';
import { openDatabase } from '../../sandbox/host/database.ts';

describe('JSON logger', () => {
  it('writes one JSON object per line, filtered by level, with secrets redacted', () => {
    const log = memoryLogger('info');
    log.logger.debug('hidden');
    log.logger.info('Store added', { store: 'EU', password: 'hunter2', credentials: { refreshToken: 'Atzr|x' }, nested: { apiKey: 'k' } });
    log.logger.error('Failed', { error: new Error('boom') });
    expect(log.entries).to.have.length(2);
    const [info, error] = log.entries;
    expect(info).to.include({ level: 'info', message: 'Store added', store: 'EU', password: '[redacted]', credentials: '[redacted]' });
    expect(info!.nested).to.deep.equal({ apiKey: '[redacted]' });
    expect(log.text()).to.not.contain('hunter2');
    expect(log.text()).to.not.contain('Atzr');
    expect((error!.error as { message: string }).message).to.equal('boom');
    expect(Date.parse(String(info!.time))).to.be.a('number').and.not.NaN;
  });

  it('logs a database error as its summary, without the SQL and the values in it', async () => {
    const knex = await openDatabase('sqlite::memory:');
    try {
      const failure = await knex.raw('select * from no_such_table where buyer = ?', ['Jane Secret-Buyer']).catch((error: unknown) => error);
      const log = memoryLogger('info');
      log.logger.error('Failed', { error: failure });
      expect(log.text()).to.not.contain('Secret-Buyer').and.not.contain('no_such_table').and.not.contain('select');
      expect(log.entries[0]!.error).to.deep.include({ code: 'SQLITE_ERROR', message: 'database error SQLITE_ERROR' });
    } finally {
      await knex.destroy();
    }
  });

  it('reads LOG_LEVEL, defaulting to info', () => {
    expect(parseLogLevel('DEBUG')).to.equal('debug');
    expect(parseLogLevel(undefined)).to.equal('info');
    expect(parseLogLevel('loud')).to.equal('info');
  });
});
