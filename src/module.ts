/**
 * The one place that binds the module's services and fans them out to the host's contribution
 * points. The host binds the ports (src/host/tokens.ts) before loading this; every contribution id
 * bound here is declared in module.json, and the contract test checks both ways.
 */
import { ContainerModule, type Newable } from 'inversify';
import { Contributions } from './host/tokens.ts';
import { Stores } from './stores/stores.ts';
import { AmazonAppSettings } from './stores/amazon-app.ts';
import { OrderRepository } from './orders/order-repository.ts';
import { OrderImporter } from './orders/order-importer.ts';
import { StoreLease } from './sync/store-lease.ts';
import { AmazonOrderReader } from './sync/amazon-order-reader.ts';
import { OrderSync } from './sync/order-sync.ts';
import { FirstSyncCron, OrderSyncCron } from './sync/sync-cron.ts';
import { BuyerDataPurge } from './orders/pii-purge.ts';
import { SyncCommand } from './cli/sync-command.ts';
import { StoreAddCommand, StoreConnectCommand, StoreDisconnectCommand, StoreListCommand, StoreStatusCommand } from './cli/store-commands.ts';
import { SettingsGetCommand, SettingsSetCommand } from './cli/settings-commands.ts';
import { MatchSetCommand, OrdersListCommand, OrdersRetryCommand } from './cli/order-commands.ts';
import { AdminViews } from './admin/renderer.ts';
import { AppCredentialsSetCommand, AppCredentialsShowCommand } from './cli/app-commands.ts';
import { StoreConnections } from './stores/store-connection.ts';
import { ConnectCallbackPage, ConnectStoreAction, ConnectStorePage, ConnectWithTokenAction } from './admin/connect-store-pages.ts';
import { AppCredentialsAction, AppCredentialsPage } from './admin/app-credentials-page.ts';
import { DisconnectStoreAction, DisconnectStorePage, ReconnectStoreAction, RenameStoreAction, StoreStatusAction } from './admin/store-management.ts';
import { RealtimeUpdatesAction, RealtimeUpdatesOffAction, RealtimeUpdatesPage } from './admin/realtime-updates-page.ts';
import { ImportRetry } from './sync/import-retry.ts';
import { UnmatchedListings } from './orders/unmatched-listings.ts';
import { StoresPage } from './admin/stores-page.ts';
import { StoreDashboardPage } from './admin/store-dashboard-page.ts';
import { AllOrdersPage } from './admin/all-orders-page.ts';
import { OrdersCsvExport } from './admin/orders-csv-export.ts';
import { OrderDetailsPage } from './admin/order-details-page.ts';
import { RetryImportAction } from './admin/retry-import-action.ts';
import { MatchListingAction, UnmatchedListingsPage } from './admin/unmatched-listings-page.ts';
import { ImportProblemsMessage } from './admin/import-problems-message.ts';
import { ToShipWidget } from './admin/to-ship-widget.ts';
import { OrderSettingsSection } from './admin/order-settings-section.ts';
import { AmazonClients } from './stores/amazon-clients.ts';
import { Outbox } from './fulfillment/outbox.ts';
import { Fulfillment } from './fulfillment/fulfillment.ts';
import { FeedSender } from './fulfillment/feed-sender.ts';
import { OutboxSender } from './fulfillment/outbox-sender.ts';
import { OrderCancellation } from './fulfillment/order-cancellation.ts';
import { OutboxSendCron } from './fulfillment/outbox-cron.ts';
import { FulfillmentGuard, FulfillmentOutboxHook, PortCancelObserver } from './fulfillment/fulfillment-hooks.ts';
import { OrdersCancelCommand, OutboxListCommand, OutboxRetryCommand, OutboxSendCommand } from './cli/outbox-commands.ts';
import { CancelOrderAction, OutboxRetryAction } from './admin/fulfillment-actions.ts';
import { OrderChangeHandler } from './notifications/order-change-handler.ts';
import { RealtimeUpdates } from './notifications/realtime-updates.ts';
import { NotificationConsumer } from './notifications/notification-consumer.ts';
import { NotificationPurge } from './notifications/notification-purge.ts';
import { NotificationsOffCommand, NotificationsOnCommand, NotificationsStatusCommand } from './cli/notification-commands.ts';

const services: Newable<object>[] = [
  AmazonAppSettings,
  Stores,
  OrderRepository,
  OrderImporter,
  StoreLease,
  AmazonOrderReader,
  OrderSync,
  AdminViews,
  ImportRetry,
  UnmatchedListings,
  AmazonClients,
  Outbox,
  Fulfillment,
  FeedSender,
  OutboxSender,
  OrderCancellation,
  StoreConnections,
  OrderChangeHandler,
  RealtimeUpdates,
];

const cliCommands: Newable<object>[] = [
  AppCredentialsSetCommand,
  AppCredentialsShowCommand,
  StoreAddCommand,
  StoreListCommand,
  StoreStatusCommand,
  StoreConnectCommand,
  StoreDisconnectCommand,
  SettingsGetCommand,
  SettingsSetCommand,
  OrdersListCommand,
  OrdersRetryCommand,
  MatchSetCommand,
  SyncCommand,
  OutboxListCommand,
  OutboxSendCommand,
  OutboxRetryCommand,
  OrdersCancelCommand,
  NotificationsOnCommand,
  NotificationsOffCommand,
  NotificationsStatusCommand,
];

const adminRoutes: Newable<object>[] = [
  StoresPage,
  ConnectStorePage,
  ConnectStoreAction,
  ConnectCallbackPage,
  ConnectWithTokenAction,
  AppCredentialsPage,
  AppCredentialsAction,
  StoreDashboardPage,
  RenameStoreAction,
  StoreStatusAction,
  ReconnectStoreAction,
  DisconnectStorePage,
  DisconnectStoreAction,
  AllOrdersPage,
  OrdersCsvExport,
  OrderDetailsPage,
  RetryImportAction,
  CancelOrderAction,
  OutboxRetryAction,
  UnmatchedListingsPage,
  MatchListingAction,
  RealtimeUpdatesPage,
  RealtimeUpdatesAction,
  RealtimeUpdatesOffAction,
];

const dashboardWidgets: Newable<object>[] = [ImportProblemsMessage, ToShipWidget];

const settingsSections: Newable<object>[] = [OrderSettingsSection];

const cronJobs: Newable<object>[] = [OrderSyncCron, FirstSyncCron, OutboxSendCron, BuyerDataPurge, NotificationPurge];

export const containerModule = new ContainerModule(({ bind }) => {
  for (const service of services) bind(service).toSelf().inSingletonScope();
  const contributions: Array<[symbol, Newable<object>[]]> = [
    [Contributions.CliCommand, cliCommands],
    [Contributions.AdminRoute, adminRoutes],
    [Contributions.DashboardWidget, dashboardWidgets],
    [Contributions.SettingsSection, settingsSections],
    [Contributions.CronObserver, cronJobs],
    [Contributions.OrderGuard, [FulfillmentGuard]],
    [Contributions.OrderTransactionHook, [FulfillmentOutboxHook]],
    [Contributions.EventObserver, [PortCancelObserver]],
    [Contributions.Worker, [NotificationConsumer]],
  ];
  for (const [point, classes] of contributions) {
    for (const contribution of classes) {
      bind(contribution).toSelf().inSingletonScope();
      bind(point).toService(contribution);
    }
  }
});
