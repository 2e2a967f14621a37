/**
 * The symbols hosts and modules agree on. `Symbol.for` so that a host and a module that resolved
 * two copies of this file still meet on the same keys.
 */
export const Ports = {
  Catalog: Symbol.for('host.port.Catalog'),
  Stock: Symbol.for('host.port.Stock'),
  Orders: Symbol.for('host.port.Orders'),
  StoreViews: Symbol.for('host.port.StoreViews'),
  Config: Symbol.for('host.port.Config'),
  Secrets: Symbol.for('host.port.Secrets'),
  Database: Symbol.for('host.port.Database'),
  Logger: Symbol.for('host.port.Logger'),
  Clock: Symbol.for('host.port.Clock'),
} as const;

export const Contributions = {
  AdminRoute: Symbol.for('host.contribution.AdminRoute'),
  DashboardWidget: Symbol.for('host.contribution.DashboardWidget'),
  SettingsSection: Symbol.for('host.contribution.SettingsSection'),
  OrderGuard: Symbol.for('host.contribution.OrderGuard'),
  OrderTransactionHook: Symbol.for('host.contribution.OrderTransactionHook'),
  OrderAfterHook: Symbol.for('host.contribution.OrderAfterHook'),
  CronObserver: Symbol.for('host.contribution.CronObserver'),
  EventObserver: Symbol.for('host.contribution.EventObserver'),
  CliCommand: Symbol.for('host.contribution.CliCommand'),
  /** Since contract 1.3.0. */
  Worker: Symbol.for('host.contribution.Worker'),
} as const;
