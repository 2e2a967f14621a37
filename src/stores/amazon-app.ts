/**
 * The module's SP-API application: its LWA client id and secret, its application id and the OAuth
 * redirect URI registered for it. They belong to the application, not to a store, so they are
 * entered once (the App credentials page or `asc app:credentials:set`) and kept in the host's
 * configuration, the secret encrypted through the secrets port. Stores keep only what is theirs.
 */
import { inject, injectable } from 'inversify';
import type { ClockPort, ConfigPort, SecretsPort } from '../host/ports.ts';
import { Ports } from '../host/tokens.ts';
import { quoted } from '../text.ts';
import { httpUrl } from '../url.ts';

/** The configuration path (default scope) of the application's settings, one JSON value so a save is whole. */
export const APP_CONFIG_PATH = 'amazon_sales_channel/app';

/** Where Amazon sends the browser back after consent, under the admin's base path (module.json route amazon_store_connect_callback). */
export const CONNECT_CALLBACK_PATH = '/amazon/connect/callback';

/** Where the module reaches Amazon: Amazon's own addresses unless a developer points them at a sandbox. */
export interface AppEndpoints {
  /** Replaces every marketplace's Seller Central for the consent page, e.g. the local sandbox. */
  sellerCentralUrl: string | null;
  lwaEndpoint: string | null;
  spApiEndpoint: string | null;
}

export interface AmazonApp extends AppEndpoints {
  clientId: string;
  applicationId: string;
  redirectUri: string;
  /** The application is still in Draft at Amazon: the consent URL carries version=beta. */
  draft: boolean;
  updatedAt: Date;
}

export interface AmazonAppInput {
  clientId: string;
  /** Empty or absent keeps the saved secret (it is never shown again) while the client id stays the same. */
  clientSecret?: string;
  applicationId: string;
  redirectUri: string;
  draft: boolean;
  sellerCentralUrl?: string | null;
  lwaEndpoint?: string | null;
  spApiEndpoint?: string | null;
}

export interface AppInputError {
  field: keyof AmazonAppInput;
  message: string;
}

export class AppInputRejected extends Error {
  override name = 'AppInputRejected';
  constructor(readonly errors: AppInputError[]) {
    super(errors.map((e) => `${e.field} ${e.message}`).join('; '));
  }
}

/** The application is needed and not configured yet. */
export class AppNotConfigured extends Error {
  override name = 'AppNotConfigured';
  constructor() {
    super('The SP-API application is not configured yet: enter its LWA client id and secret, application id and redirect URI under Amazon Stores > App credentials (or asc app:credentials:set)');
  }
}

interface StoredApp extends Omit<AmazonApp, 'updatedAt'> {
  clientSecretEncrypted: string;
  updatedAt: string;
}

const LIMITS = { clientId: 255, clientSecret: 2048, applicationId: 255, redirectUri: 512, sellerCentralUrl: 512, lwaEndpoint: 512, spApiEndpoint: 512 } as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The saved application as input to change (the secret left out: it is kept), or empty input for a first one. */
export function appInput(app: AmazonApp | null): AmazonAppInput {
  return {
    clientId: app?.clientId ?? '',
    applicationId: app?.applicationId ?? '',
    redirectUri: app?.redirectUri ?? '',
    draft: app?.draft ?? false,
    sellerCentralUrl: app?.sellerCentralUrl ?? '',
    lwaEndpoint: app?.lwaEndpoint ?? '',
    spApiEndpoint: app?.spApiEndpoint ?? '',
  };
}

/** Every problem with the input at once, so the form shows them together. */
export function validateAppInput(input: AmazonAppInput, hasSavedSecret: boolean): AppInputError[] {
  const errors: AppInputError[] = [];
  for (const [field, max] of Object.entries(LIMITS) as Array<[keyof typeof LIMITS, number]>) {
    const value = input[field];
    if (typeof value === 'string' && value.length > max) errors.push({ field, message: `must be at most ${max} characters` });
  }
  const tooLong = new Set(errors.map((e) => e.field));
  const clientId = input.clientId.trim();
  if (clientId === '') errors.push({ field: 'clientId', message: 'is required' });
  else if (!tooLong.has('clientId') && !/^amzn1\.application-oa2-client\.[A-Za-z0-9]+$/.test(clientId)) {
    errors.push({ field: 'clientId', message: 'must be the LWA client identifier of the app (amzn1.application-oa2-client.…)' });
  }
  if (!hasSavedSecret && (input.clientSecret ?? '').trim() === '') errors.push({ field: 'clientSecret', message: 'is required' });
  const applicationId = input.applicationId.trim();
  if (applicationId === '') errors.push({ field: 'applicationId', message: 'is required' });
  else if (!tooLong.has('applicationId') && !/^amzn1\.sp\.solution\.[A-Za-z0-9-]+$/.test(applicationId)) {
    errors.push({ field: 'applicationId', message: 'must be the app\'s application id from the Solution Provider Portal (amzn1.sp.solution.…)' });
  }
  if (!tooLong.has('redirectUri')) {
    const redirect = httpUrl(input.redirectUri.trim());
    if (input.redirectUri.trim() === '') errors.push({ field: 'redirectUri', message: 'is required' });
    else if (!redirect || redirect.hash !== '' || redirect.search !== '') {
      errors.push({ field: 'redirectUri', message: `${quoted(input.redirectUri)} is not an absolute http(s) URL without query or fragment` });
    } else if (redirect.protocol === 'http:' && !LOOPBACK_HOSTS.has(redirect.hostname)) {
      errors.push({ field: 'redirectUri', message: 'must use https (Amazon accepts http only for this machine: localhost, 127.0.0.1)' });
    } else if (!redirect.pathname.endsWith(CONNECT_CALLBACK_PATH)) {
      errors.push({ field: 'redirectUri', message: `must be the admin's address followed by ${CONNECT_CALLBACK_PATH}, e.g. https://shop.example/admin${CONNECT_CALLBACK_PATH}` });
    }
  }
  for (const field of ['sellerCentralUrl', 'lwaEndpoint', 'spApiEndpoint'] as const) {
    const value = input[field]?.trim();
    if (value && !tooLong.has(field) && !httpUrl(value)) errors.push({ field, message: `${quoted(value)} is not an http(s) URL` });
  }
  return errors;
}

function optionalUrl(value: string | null | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed.replace(/\/+$/, '');
}

@injectable()
export class AmazonAppSettings {
  constructor(
    @inject(Ports.Config) private readonly config: ConfigPort,
    @inject(Ports.Secrets) private readonly secrets: SecretsPort,
    @inject(Ports.Clock) private readonly clock: ClockPort,
  ) {}

  /** The application, or null while nobody has configured it. */
  async get(): Promise<AmazonApp | null> {
    const stored = await this.stored();
    if (!stored) return null;
    const { clientSecretEncrypted: _secret, ...app } = stored;
    return { ...app, updatedAt: new Date(stored.updatedAt) };
  }

  async require(): Promise<AmazonApp> {
    const app = await this.get();
    if (!app) throw new AppNotConfigured();
    return app;
  }

  /** The LWA client secret, decrypted for a call to Login with Amazon. */
  async clientSecret(): Promise<string> {
    const stored = await this.stored();
    if (!stored) throw new AppNotConfigured();
    return this.secrets.decrypt(stored.clientSecretEncrypted);
  }

  /** Validates and saves the whole application; nothing is saved when a field is refused. */
  async save(input: AmazonAppInput): Promise<AmazonApp> {
    const current = await this.stored();
    // A new client id needs its own secret: the saved one belongs to the old client.
    const keepsSecret = current !== null && current.clientId === input.clientId.trim();
    const errors = validateAppInput(input, keepsSecret);
    if (errors.length > 0) throw new AppInputRejected(errors);
    const secret = (input.clientSecret ?? '').trim();
    const stored: StoredApp = {
      clientId: input.clientId.trim(),
      applicationId: input.applicationId.trim(),
      redirectUri: input.redirectUri.trim(),
      draft: input.draft,
      sellerCentralUrl: optionalUrl(input.sellerCentralUrl),
      lwaEndpoint: optionalUrl(input.lwaEndpoint),
      spApiEndpoint: optionalUrl(input.spApiEndpoint),
      clientSecretEncrypted: secret === '' ? current!.clientSecretEncrypted : await this.secrets.encrypt(secret),
      updatedAt: this.clock.now().toISOString(),
    };
    await this.config.set(APP_CONFIG_PATH, JSON.stringify(stored));
    return (await this.get())!;
  }

  private async stored(): Promise<StoredApp | null> {
    const text = await this.config.get(APP_CONFIG_PATH);
    return text === null ? null : (JSON.parse(text) as StoredApp);
  }
}
