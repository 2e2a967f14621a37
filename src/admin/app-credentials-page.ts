/**
 * App credentials: the module's SP-API application (LWA client id and secret, application id,
 * OAuth redirect URI), entered once for every store. The secret is write-only: the page never
 * shows it, and an empty field keeps the saved one.
 */
import { inject, injectable, injectFromBase } from 'inversify';
import type { AdminRequest, AdminResponse } from '../host/contributions.ts';
import { AmazonAppSettings, AppInputRejected, appInput, CONNECT_CALLBACK_PATH, type AmazonAppInput, type AppInputError } from '../stores/amazon-app.ts';
import { Acl } from './acl.ts';
import { ROUTE_PATHS, type AdminUrls } from './admin-urls.ts';
import { CSRF_FIELD } from './csrf.ts';
import { ModuleRoute } from './module-route.ts';
import type { PageHead } from './page-head.ts';
import { AdminViews } from './renderer.ts';

const TITLE = 'App credentials';

type TextField = Exclude<keyof AmazonAppInput, 'draft' | 'clientSecret'>;

const TEXT_FIELDS: Array<{ key: TextField; name: string; label: string; hint: string }> = [
  { key: 'clientId', name: 'client_id', label: 'LWA client identifier', hint: 'From the app in the Solution Provider Portal (Develop Apps > View LWA credentials).' },
  { key: 'applicationId', name: 'application_id', label: 'Application id', hint: 'amzn1.sp.solution.…, the id Seller Central consent pages name.' },
  { key: 'redirectUri', name: 'redirect_uri', label: 'OAuth redirect URI', hint: 'Register the same address for the app at Amazon.' },
  { key: 'sellerCentralUrl', name: 'seller_central_url', label: 'Seller Central', hint: 'Empty: each marketplace\'s own Seller Central.' },
  { key: 'lwaEndpoint', name: 'lwa_endpoint', label: 'Login with Amazon token URL', hint: 'Empty: https://api.amazon.com/auth/o2/token.' },
  { key: 'spApiEndpoint', name: 'sp_api_endpoint', label: 'SP-API endpoint', hint: 'Empty: the region\'s endpoint.' },
];

function formInput(form: URLSearchParams): AmazonAppInput {
  const text = (name: string) => form.get(name) ?? '';
  return {
    clientId: text('client_id'),
    clientSecret: text('client_secret'),
    applicationId: text('application_id'),
    redirectUri: text('redirect_uri'),
    draft: form.get('draft') === '1',
    sellerCentralUrl: text('seller_central_url'),
    lwaEndpoint: text('lwa_endpoint'),
    spApiEndpoint: text('sp_api_endpoint'),
  };
}

@injectable()
abstract class AppCredentialsRoute extends ModuleRoute {
  readonly acl = Acl.storesManage;
  readonly path = ROUTE_PATHS.app;

  constructor(
    @inject(AdminViews) views: AdminViews,
    @inject(AmazonAppSettings) protected readonly appSettings: AmazonAppSettings,
  ) {
    super(views);
  }

  protected async form(request: AdminRequest, urls: AdminUrls, input: AmazonAppInput, errors: AppInputError[], flash: PageHead['flash']): Promise<AdminResponse> {
    const app = await this.appSettings.get();
    const error = (key: keyof AmazonAppInput) => errors.find((e) => e.field === key)?.message ?? null;
    const field = (f: (typeof TEXT_FIELDS)[number]) => ({ id: `asc-app-${f.name}`, name: f.name, label: f.label, hint: f.hint, value: input[f.key] ?? '', error: error(f.key) });
    const [clientId, applicationId, redirectUri, ...endpoints] = TEXT_FIELDS.map(field);
    const head: PageHead = { crumbs: [{ label: 'Amazon Stores', href: urls.stores() }, { label: TITLE, href: null }], title: TITLE, badge: null, nav: null, flash };
    return this.page(TITLE, 'app-credentials', {
      head,
      action: urls.app(),
      csrfField: CSRF_FIELD,
      csrfToken: request.csrfToken,
      hasErrors: errors.length > 0,
      clientId,
      applicationId,
      redirectUri: { ...redirectUri!, placeholder: `https://admin.example${request.basePath.replace(/\/$/, '')}${CONNECT_CALLBACK_PATH}` },
      secret: { saved: app !== null, error: error('clientSecret') },
      draft: input.draft,
      endpoints,
      connectHref: app !== null ? urls.connect() : null,
    }, errors.length > 0 ? 422 : undefined);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class AppCredentialsPage extends AppCredentialsRoute {
  readonly id = 'amazon_app_credentials';
  readonly method = 'GET';

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const flash: PageHead['flash'] = request.query.get('saved') === '1' ? { tone: 'ok', text: 'The application\'s credentials were saved.' } : null;
    return this.form(request, urls, appInput(await this.appSettings.get()), [], flash);
  }
}

@injectFromBase({ extendConstructorArguments: true })
@injectable()
export class AppCredentialsAction extends AppCredentialsRoute {
  readonly id = 'amazon_app_credentials_save';
  readonly method = 'POST';

  protected async respond(request: AdminRequest, urls: AdminUrls): Promise<AdminResponse> {
    const input = formInput(request.form);
    try {
      await this.appSettings.save(input);
    } catch (error) {
      if (!(error instanceof AppInputRejected)) throw error;
      // The typed secret is not sent back into the page.
      return this.form(request, urls, { ...input, clientSecret: '' }, error.errors, null);
    }
    return { kind: 'redirect', location: `${urls.app()}?saved=1` };
  }
}
