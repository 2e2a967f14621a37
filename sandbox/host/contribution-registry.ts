/** Every loaded module's contributions in one place, each remembering the module it came from. */
import type {
  AdminRouteContribution,
  CliCommandContribution,
  DashboardWidgetContribution,
  EventObserverContribution,
  OrderAfterHookContribution,
  OrderGuardContribution,
  OrderTransactionHookContribution,
  SettingsSectionContribution,
  WidgetZone,
} from '../../src/host/contributions.ts';
import type { CronJob } from './cron-runner.ts';
import type { Worker } from './worker-runner.ts';
import type { LoadedModule } from './module-loader.ts';

export interface RegisteredRoute {
  module: string;
  route: AdminRouteContribution;
  /** Navigation label from module.json, when the module gave one. */
  title: string | undefined;
}

export class ContributionRegistry {
  constructor(private readonly modules: LoadedModule[]) {}

  routes(): RegisteredRoute[] {
    return this.modules.flatMap((m) =>
      m.contributions.routes.map((route) => ({ module: m.manifest.name, route, title: m.manifest.routes.find((r) => r.id === route.id)?.title })),
    );
  }

  widgets(zone: WidgetZone): DashboardWidgetContribution[] {
    return this.modules.flatMap((m) => m.contributions.widgets.filter((w) => w.zone === zone));
  }

  settings(): SettingsSectionContribution[] {
    return this.modules.flatMap((m) => m.contributions.settings);
  }

  guards(): OrderGuardContribution[] {
    return this.modules.flatMap((m) => m.contributions.guards);
  }

  transactionHooks(): OrderTransactionHookContribution[] {
    return this.modules.flatMap((m) => m.contributions.transactionHooks);
  }

  afterHooks(): OrderAfterHookContribution[] {
    return this.modules.flatMap((m) => m.contributions.afterHooks);
  }

  eventObservers(): EventObserverContribution[] {
    return this.modules.flatMap((m) => m.contributions.events);
  }

  cronJobs(): CronJob[] {
    return this.modules.flatMap((m) =>
      m.contributions.cron.map((observer) => {
        const declared = m.manifest.cron.find((c) => c.id === observer.id);
        // The loader refuses modules whose cron bindings and manifest differ, so this holds.
        if (!declared) throw new Error(`cron job ${observer.id} of ${m.manifest.name} has no schedule`);
        return { module: m.manifest.name, schedule: declared.schedule, observer };
      }),
    );
  }

  workers(): Worker[] {
    return this.modules.flatMap((m) => m.contributions.workers.map((worker) => ({ module: m.manifest.name, worker })));
  }

  cliCommands(): Array<{ module: string; command: CliCommandContribution }> {
    return this.modules.flatMap((m) => m.contributions.cli.map((command) => ({ module: m.manifest.name, command })));
  }
}
