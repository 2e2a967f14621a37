/**
 * The module contract: THIS module (module.json at the repository root) loads into a fresh host
 * container with every declared id bound, every zone known and every ACL id defined. The negative
 * tests prove each check of the host's loader fires, using the fixture module.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import {
  HOST_CONTRACT_VERSION,
  WIDGET_ZONES,
  aclIds,
  Contributions,
  validateManifest,
  type ModuleManifest,
} from '../../src/host/index.ts';
import { createHost, type Host } from '../../sandbox/host/host.ts';
import { ModuleLoadError, crossModuleProblems, loadModule, readManifest } from '../../sandbox/host/module-loader.ts';
import { FIXTURE_MODULE, REPO_ROOT } from '../support/host.ts';
import { rejection } from '../support/assert.ts';
import { memoryLogger } from '../support/logs.ts';

async function bareHost(): Promise<Host> {
  return createHost({ databaseUrl: 'sqlite::memory:', logger: memoryLogger().logger, secretKey: crypto.randomBytes(32) });
}

function fixtureManifest(change: (m: ModuleManifest) => void = () => {}): ModuleManifest {
  const manifest = structuredClone(readManifest(FIXTURE_MODULE));
  change(manifest);
  return manifest;
}

async function problemsLoading(host: Host, manifest: ModuleManifest, directory = FIXTURE_MODULE): Promise<string[]> {
  const error = await rejection(loadModule({ directory, manifest }, host.portsContainer));
  expect(error).to.be.instanceOf(ModuleLoadError);
  return (error as ModuleLoadError).problems;
}

describe('module contract: this module', () => {
  let host: Host;
  before(async () => {
    host = await createHost({
      databaseUrl: 'sqlite::memory:', logger: memoryLogger().logger, secretKey: crypto.randomBytes(32), modules: [{ directory: REPO_ROOT }],
    });
  });
  after(async () => host?.close());

  it('has a valid manifest', () => {
    const manifest = readManifest(REPO_ROOT);
    expect(validateManifest(manifest)).to.deep.equal([]);
    expect(host.modules.map((m) => m.manifest.name)).to.deep.equal([manifest.name]);
  });

  it('binds every id the manifest declares, and nothing it does not', () => {
    const { manifest, container } = host.modules[0]!;
    const boundIds = (token: symbol, key: 'id' | 'name' = 'id') =>
      container.getAll<Record<string, string>>(token).map((c) => c[key]).sort();
    expect(boundIds(Contributions.AdminRoute)).to.deep.equal(manifest.routes.map((r) => r.id).sort());
    expect(boundIds(Contributions.DashboardWidget)).to.deep.equal(manifest.widgets.map((w) => w.id).sort());
    expect(boundIds(Contributions.SettingsSection)).to.deep.equal(manifest.settings.map((s) => s.id).sort());
    expect(boundIds(Contributions.CronObserver)).to.deep.equal(manifest.cron.map((c) => c.id).sort());
    expect(boundIds(Contributions.OrderGuard)).to.deep.equal(manifest.hooks.filter((h) => h.kind === 'guard').map((h) => h.id).sort());
    expect(boundIds(Contributions.OrderTransactionHook)).to.deep.equal(manifest.hooks.filter((h) => h.kind === 'transaction').map((h) => h.id).sort());
    expect(boundIds(Contributions.OrderAfterHook)).to.deep.equal(manifest.hooks.filter((h) => h.kind === 'after').map((h) => h.id).sort());
    expect(boundIds(Contributions.EventObserver)).to.deep.equal(manifest.events.map((e) => e.id).sort());
    expect(boundIds(Contributions.CliCommand, 'name')).to.deep.equal(manifest.cli.map((c) => c.name).sort());
  });

  it('uses only known widget zones and defined ACL ids', () => {
    const { manifest, contributions } = host.modules[0]!;
    const acl = new Set(aclIds(manifest.acl));
    for (const widget of contributions.widgets) {
      expect(WIDGET_ZONES, `zone of widget ${widget.id}`).to.include(widget.zone);
      expect(acl.has(widget.acl), `ACL of widget ${widget.id}`).to.equal(true);
    }
    for (const item of [...contributions.routes, ...contributions.settings]) {
      expect(acl.has(item.acl), `ACL of ${item.id}: ${item.acl}`).to.equal(true);
    }
  });
});

describe('module loader checks (fixture module)', () => {
  let host: Host;
  before(async () => {
    host = await bareHost();
  });
  after(async () => host?.close());

  it('loads the fixture module with every contribution', async () => {
    const loaded = await loadModule({ directory: FIXTURE_MODULE }, host.portsContainer);
    expect(loaded.contributions.routes).to.have.length(5);
    expect(loaded.contributions.cli.map((c) => c.name)).to.deep.equal(['fixture:echo']);
    expect(loaded.contributions.workers.map((w) => w.id)).to.deep.equal(['fixture.worker']);
  });

  it('reports a declared id that is not bound', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => m.routes.push({ id: 'fixture.ghost', method: 'GET', path: '/fixture/ghost', acl: 'Fixture::secret' })));
    expect(problems).to.deep.equal(['route "fixture.ghost" is declared in module.json but not bound']);
  });

  it('reports a bound contribution that is not declared', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => {
      m.events = m.events.filter((e) => e.id !== 'fixture.on-created');
      m.cli = [];
      delete m.workers;
    }));
    expect(problems).to.have.members([
      'event observer "fixture.on-created" is bound but not declared in module.json',
      'CLI command "fixture:echo" is bound but not declared in module.json',
      'worker "fixture.worker" is bound but not declared in module.json',
    ]);
  });

  it('reports an unknown zone in the manifest and in the code', async () => {
    const inManifest = await problemsLoading(host, fixtureManifest((m) => {
      (m.widgets[0] as { zone: string }).zone = 'dashboard.bottom';
    }));
    expect(inManifest.join('\n')).to.contain('widget "fixture.message" uses unknown zone "dashboard.bottom"');
    const empty = fixtureManifest((m) => {
      m.routes = []; m.settings = []; m.cron = []; m.hooks = []; m.events = []; m.cli = [];
      m.entry = 'bad-zone.ts';
      m.widgets = [{ id: 'bad.widget', zone: 'dashboard.top', acl: 'Fixture::secret' }];
    });
    const inCode = await problemsLoading(host, empty);
    expect(inCode).to.include('widget "bad.widget": module.json says zone "dashboard.top", the code says "dashboard.bottom"');
    expect(inCode.join('\n')).to.contain('zone "dashboard.bottom" is unknown');
  });

  it('reports dangling ACL ids', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => {
      m.routes[0]!.acl = 'Fixture::nope';
      m.widgets[1]!.acl = 'Other::thing';
    }));
    expect(problems).to.include('route "fixture.page" refers to ACL resource "Fixture::nope", which the "acl" tree does not define');
    expect(problems).to.include('widget "fixture.top" refers to ACL resource "Other::thing", which the "acl" tree does not define');
  });

  it('reports manifest and code disagreeing on a route, hook actions or event', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => {
      m.routes[0]!.path = '/fixture/other';
      m.hooks[0]!.actions = ['ship'];
      m.hooks[1]!.actions = ['cancel'];
      m.events[0]!.event = 'order.deleted';
    }));
    expect(problems).to.have.members([
      'route "fixture.page": module.json says path "/fixture/other", the code says "/fixture/page"',
      'order guard "fixture.guard": module.json says actions [ship], the code says [ship, cancel, creditmemo]',
      'order transaction hook "fixture.outbox": module.json says actions [cancel], the code says [ship, cancel, creditmemo]',
      'event observer "fixture.on-created": module.json says event "order.deleted", the code says "order.created"',
    ]);
  });

  it('reports a transaction hook declared but not bound, and an unknown hook kind', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => {
      m.hooks.push({ id: 'fixture.ghost-outbox', kind: 'transaction', actions: ['ship'] });
    }));
    expect(problems).to.deep.equal(['order transaction hook "fixture.ghost-outbox" is declared in module.json but not bound']);
    const kind = await problemsLoading(host, fixtureManifest((m) => void ((m.hooks[1] as { kind: string }).kind = 'before')));
    expect(kind).to.deep.equal(['hook "fixture.outbox" has kind "before" (guard, transaction, after)']);
  });

  it('checks host compatibility (caret and =x.y.z ranges); an unsupported range is told the supported forms', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => void (m.hostCompatibility = '^2.0.0')));
    expect(problems).to.deep.equal([`needs host contract ^2.0.0, but this host implements ${HOST_CONTRACT_VERSION}`]);
    const weird = await problemsLoading(host, fixtureManifest((m) => void (m.hostCompatibility = '>=1')));
    expect(weird).to.deep.equal(['"hostCompatibility" ">=1" is not a supported range (x.y.z, =x.y.z, ^x.y.z or ~x.y.z)']);
    expect(await problemsLoading(host, fixtureManifest((m) => void (m.hostCompatibility = '=2.0.0')))).to.deep.equal([
      `needs host contract =2.0.0, but this host implements ${HOST_CONTRACT_VERSION}`,
    ]);
  });

  it('reports a bad cron schedule, a missing migrations directory and a missing export', async () => {
    const problems = await problemsLoading(host, fixtureManifest((m) => {
      m.cron[0]!.schedule = '61 * * * *';
      m.migrations.directory = 'nowhere';
    }));
    expect(problems).to.have.members([
      'cron job "fixture.tick" schedule: minute "61" is outside 0-59',
      'migrations directory "nowhere" does not exist',
    ]);
    const noExport = await problemsLoading(host, fixtureManifest((m) => void (m.entry = 'no-export.ts')));
    expect(noExport).to.deep.equal(['entry "no-export.ts" does not export a ContainerModule named "containerModule"']);
  });

  it('refuses two modules claiming the same names, and routes on the host\'s own paths', async () => {
    const error = await rejection(
      createHost({ databaseUrl: 'sqlite::memory:', logger: memoryLogger().logger, modules: [{ directory: FIXTURE_MODULE }, { directory: FIXTURE_MODULE }] }),
    );
    expect(error).to.be.instanceOf(ModuleLoadError);
    expect(error.message).to.contain('module name "fixture-module" is claimed by both');
    expect(error.message).to.contain('route GET /fixture/page is claimed by both');
    expect(error.message).to.contain('CLI command "fixture:echo" is claimed by both');
    const loaded = await loadModule({ directory: FIXTURE_MODULE }, host.portsContainer);
    expect(crossModuleProblems([loaded], ['/fixture'])).to.include('route "fixture.page" of "fixture-module" uses the host\'s path /fixture');
  });
});
