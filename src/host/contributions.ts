/**
 * Contribution points: one symbol (in `tokens.ts`) and one interface each. A module binds its
 * classes to them (multi-bindings); the host collects them with `container.getAll(token)`.
 * Every contribution has an `id` that `module.json` names, so the host can check the manifest
 * against what the module really bound.
 */
import type { Knex } from 'knex';
import type { DecimalString } from './ports.ts';

/** The closed list of places a widget can appear in the host's admin layout. */
export const WIDGET_ZONES = ['system-messages', 'dashboard.top', 'dashboard.main', 'dashboard.side'] as const;
export type WidgetZone = (typeof WIDGET_ZONES)[number];

export interface AdminUser {
  username: string;
  role: string;
}

/**
 * Links into the host's own admin pages, which only the host knows how to address. Module pages
 * use them for "open the host order" and "open the Order Settings section" links.
 */
export interface HostAdminLinks {
  /** The host's admin view of one of its orders (`HostOrderRef.id`). */
  order(orderId: string): string;
  /** The host's page that shows a settings section (`SettingsSectionContribution.id`) for one scope. */
  settings(sectionId: string, scope: string): string;
}

/** What the host hands a module page or widget about the current request. */
export interface AdminContext {
  user: AdminUser;
  /** Whether the signed-in user holds an ACL resource. */
  can(aclResource: string): boolean;
  /** The token a form must post back as field `csrf_token`. */
  csrfToken: string;
  /** Absolute path prefix of the admin, e.g. "/admin"; module links are built under it. */
  basePath: string;
  links: HostAdminLinks;
}

export interface AdminRequest extends AdminContext {
  method: 'GET' | 'POST';
  /** Route parameters from `:name` segments of the path. */
  params: Record<string, string>;
  query: URLSearchParams;
  /**
   * Decoded form body for POST (application/x-www-form-urlencoded) as posted, `csrf_token`
   * included: the host checks it first, and a module may check it again against `csrfToken`
   * (this module does, so a host that forgot cannot expose its POSTs). Empty for GET.
   */
  form: URLSearchParams;
}

export type AdminResponse =
  /** An HTML fragment the host places inside its layout. */
  | { kind: 'page'; title: string; html: string; status?: number }
  | { kind: 'redirect'; location: string }
  /** A download streamed in chunks (e.g. CSV), never buffered whole. */
  | { kind: 'download'; contentType: string; filename: string; body: AsyncIterable<string> };

export interface AdminRouteContribution {
  id: string;
  method: 'GET' | 'POST';
  /** Path under the admin base path, with `:name` parameters, e.g. "/amazon/stores/:storeId". */
  path: string;
  /** ACL resource the user must hold; the host answers 403 otherwise. */
  acl: string;
  handle(request: AdminRequest): Promise<AdminResponse>;
}

export interface DashboardWidgetContribution {
  id: string;
  zone: WidgetZone;
  acl: string;
  /** HTML fragment, or null to show nothing this time. */
  render(context: AdminContext): Promise<string | null>;
}

export interface SettingsFieldError {
  field: string;
  message: string;
}

export interface SettingsSectionContribution {
  id: string;
  title: string;
  acl: string;
  /**
   * The section's form fields as an HTML fragment for one scope (e.g. one Amazon store), without
   * a <form> tag: the host wraps them in its own form (CSRF token, scope, Save button) whose POST
   * it hands to `save()`.
   */
  render(context: AdminContext, scope: string, errors?: SettingsFieldError[], submitted?: URLSearchParams): Promise<string>;
  /** Validate and save; return the errors instead of saving anything when the input is invalid. */
  save(context: AdminContext, scope: string, form: URLSearchParams): Promise<{ ok: true } | { ok: false; errors: SettingsFieldError[] }>;
  /** The scopes (e.g. one per Amazon store) the section can be opened for. */
  scopes(): Promise<Array<{ id: string; label: string }>>;
}

export type OrderAction = 'ship' | 'cancel' | 'creditmemo';

/** One order line an action touches. */
export interface OrderActionLine {
  /** Since contract 1.2.0: the host's id of the order line (HostOrderItem.id). */
  lineId: string;
  /** Since contract 1.2.0: the line's CreateOrderLine.externalReference, or null. */
  externalReference: string | null;
  sku: string;
  qty: number;
  /**
   * Since contract 1.2.0, for 'creditmemo': what the line's refund comes to in the order currency
   * (its price minus discount, and its tax, for these units), and how many of the units were never
   * shipped (refunding them means they will not ship).
   */
  refund?: { amount: DecimalString; taxAmount: DecimalString; unshippedQty: number };
}

export interface OrderActionContext {
  orderId: string;
  action: OrderAction;
  /** Lines the action touches, with quantities. */
  items: OrderActionLine[];
  /** For 'ship': the carrier and tracking the admin entered. */
  shipment?: { carrierCode: string; carrierTitle: string; trackingNumber: string; shippedAt: Date };
  /** For 'cancel' and 'creditmemo': the reason the admin chose. */
  reason?: string;
  /** For 'creditmemo': the refunded amounts (`taxAmount` includes `shippingTaxAmount`, since 1.2.0). */
  refund?: { currencyCode: string; itemAmount: DecimalString; shippingAmount: DecimalString; taxAmount: DecimalString; shippingTaxAmount: DecimalString };
  /**
   * Since contract 1.2.0, for transaction hooks and after-hooks of 'ship' and 'creditmemo': the id
   * of the shipment or credit memo the action created.
   */
  documentId?: string;
}

export type OrderVerdict = { allow: true } | { allow: false; reason: string };

/** Runs before the host performs an order action; a veto stops the action and shows the reason. */
export interface OrderGuardContribution {
  id: string;
  actions: OrderAction[];
  check(context: OrderActionContext): Promise<OrderVerdict>;
}

/**
 * Since contract 1.2.0: runs inside the database transaction that commits an order action, after
 * the host wrote its change and before the commit. What it writes through `trx` commits with the
 * change or not at all, so a module can record what the change must cause elsewhere (an outbox of
 * messages to a channel) without ever losing one, even when the process dies right after the
 * commit. A veto, or an error, rolls the whole action back. It must use `trx` for every query.
 */
export interface OrderTransactionHookContribution {
  id: string;
  actions: OrderAction[];
  inTransaction(context: OrderActionContext, trx: Knex.Transaction): Promise<OrderVerdict>;
}

/** Runs after the host committed an order action. It must not throw for business outcomes. */
export interface OrderAfterHookContribution {
  id: string;
  actions: OrderAction[];
  after(context: OrderActionContext): Promise<void>;
}

export interface CronRunContext {
  /** Aborted when the host shuts down; long jobs stop at the next safe point. */
  signal: AbortSignal;
}

/** A scheduled job. The schedule lives in module.json so the host can read it without running code. */
export interface CronObserverContribution {
  id: string;
  run(context: CronRunContext): Promise<void>;
}

/** What the host hands a worker. */
export interface WorkerRunContext {
  /** Aborted when the process stops; the worker finishes what it holds (leases, in-flight messages) and returns. */
  signal: AbortSignal;
}

/**
 * Since contract 1.3.0: a long-lived worker (e.g. a queue consumer), run once in every host process
 * that serves (the admin and cron), from its start until it stops. Any number of processes may run
 * it at once, so a worker coordinates through the database, never through process memory. `run`
 * returns only once `signal` aborted; returning or throwing earlier is a crash the host logs and
 * answers by starting the worker again after a pause.
 */
export interface WorkerContribution {
  id: string;
  run(context: WorkerRunContext): Promise<void>;
}

export interface EventObserverContribution {
  id: string;
  event: string;
  handle(payload: Record<string, unknown>): Promise<void>;
}

/** A CLI flag the host parses and validates before the command runs. */
export type CliFlag =
  | { name: string; type: 'string'; description: string; required?: boolean }
  | { name: string; type: 'enum'; values: readonly string[]; description: string; required?: boolean }
  | { name: string; type: 'int'; min?: number; description: string; required?: boolean }
  | { name: string; type: 'decimal'; description: string; required?: boolean }
  | { name: string; type: 'date'; description: string; required?: boolean }
  | { name: string; type: 'boolean'; description: string; required?: boolean }
  /** A switch with no value, e.g. --json. */
  | { name: string; type: 'switch'; description: string };

export type CliFlagValue = string | number | boolean | Date;

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** True when stderr is a terminal (progress output is shown only then). */
  interactive: boolean;
  /**
   * Since contract 1.2.0: aborted when the process is asked to stop (SIGINT, SIGTERM); a long
   * command stops at its next safe point, cleans up (leases) and returns.
   */
  signal: AbortSignal;
}

/** Thrown by a command for bad input it could only detect itself: exit code 2, message printed. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

export interface CliCommandContribution {
  /** The command as typed, e.g. "store:add". */
  name: string;
  summary: string;
  flags: readonly CliFlag[];
  /** Returns the exit code. Flags are already validated and converted to their types. */
  run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number>;
}
