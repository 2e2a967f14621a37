/**
 * asc app:credentials:set / app:credentials:show — the module's SP-API application from the
 * console. The client secret is read from a file (or /dev/stdin), never from a flag, so it does not
 * land in shell history or in the process list.
 */
import { inject, injectable } from 'inversify';
import { CliUsageError, type CliCommandContribution, type CliFlagValue, type CliIO } from '../host/contributions.ts';
import { AmazonAppSettings, appInput, type AmazonApp, type AmazonAppInput } from '../stores/amazon-app.ts';
import { withUsageErrors } from './errors.ts';
import { printJson } from './output.ts';
import { readSecretFile } from './secret-file.ts';

const FLAG_NAMES: Record<keyof AmazonAppInput, string> = {
  clientId: '--client-id',
  clientSecret: '--client-secret-file',
  applicationId: '--application-id',
  redirectUri: '--redirect-uri',
  draft: '--draft',
  sellerCentralUrl: '--seller-central-url',
  lwaEndpoint: '--lwa-endpoint',
  spApiEndpoint: '--sp-api-endpoint',
};

/** The JSON shape of the application in --json output (the secret is only said to be saved). */
function appJson(app: AmazonApp) {
  return {
    clientId: app.clientId,
    clientSecret: 'saved (never shown)',
    applicationId: app.applicationId,
    redirectUri: app.redirectUri,
    draft: app.draft,
    sellerCentralUrl: app.sellerCentralUrl,
    lwaEndpoint: app.lwaEndpoint,
    spApiEndpoint: app.spApiEndpoint,
    updatedAt: app.updatedAt.toISOString(),
  };
}

function printApp(io: CliIO, app: AmazonApp): void {
  const lines = Object.entries(appJson(app)).map(([key, value]) => `${key.padEnd(17)} ${value ?? '(Amazon\'s)'}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}


@injectable()
export class AppCredentialsSetCommand implements CliCommandContribution {
  readonly name = 'app:credentials:set';
  readonly summary = "Save the SP-API application's credentials (flags left out keep their saved values)";
  readonly flags = [
    { name: 'client-id', type: 'string', description: 'LWA client identifier (amzn1.application-oa2-client.…)' },
    { name: 'client-secret-file', type: 'string', description: 'File whose first line is the LWA client secret; /dev/stdin reads it from a pipe' },
    { name: 'application-id', type: 'string', description: 'Application id (amzn1.sp.solution.…)' },
    { name: 'redirect-uri', type: 'string', description: 'OAuth redirect URI registered for the app: the admin address + /amazon/connect/callback' },
    { name: 'draft', type: 'boolean', description: 'The app is a Draft at Amazon (consent with version=beta)' },
    { name: 'seller-central-url', type: 'string', description: "Seller Central for consent (default: each marketplace's; a sandbox's URL for tests)" },
    { name: 'lwa-endpoint', type: 'string', description: 'LWA token URL (default: https://api.amazon.com/auth/o2/token)' },
    { name: 'sp-api-endpoint', type: 'string', description: "SP-API base URL for new stores (default: the region's)" },
    { name: 'json', type: 'switch', description: 'Print the saved application as JSON' },
  ] as const;

  constructor(@inject(AmazonAppSettings) private readonly appSettings: AmazonAppSettings) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    // Flags left out keep the saved values.
    const saved = appInput(await this.appSettings.get());
    const text = (flag: string, current: string | null | undefined) => (flags[flag] !== undefined ? String(flags[flag]) : (current ?? ''));
    const secretFile = flags['client-secret-file'];
    const input: AmazonAppInput = {
      clientId: text('client-id', saved.clientId),
      clientSecret: secretFile === undefined ? '' : await readSecretFile(String(secretFile), '--client-secret-file', 'the client secret'),
      applicationId: text('application-id', saved.applicationId),
      redirectUri: text('redirect-uri', saved.redirectUri),
      draft: flags.draft !== undefined ? Boolean(flags.draft) : saved.draft,
      sellerCentralUrl: text('seller-central-url', saved.sellerCentralUrl),
      lwaEndpoint: text('lwa-endpoint', saved.lwaEndpoint),
      spApiEndpoint: text('sp-api-endpoint', saved.spApiEndpoint),
    };
    const app = await withUsageErrors(() => this.appSettings.save(input), FLAG_NAMES);
    if (flags.json) printJson(io, appJson(app));
    else io.stdout.write(`Saved the SP-API application ${app.clientId} (${app.applicationId})\n`);
    return 0;
  }
}

@injectable()
export class AppCredentialsShowCommand implements CliCommandContribution {
  readonly name = 'app:credentials:show';
  readonly summary = "Show the SP-API application's settings (never the secret)";
  readonly flags = [{ name: 'json', type: 'switch', description: 'Print JSON (null when not configured)' }] as const;

  constructor(@inject(AmazonAppSettings) private readonly appSettings: AmazonAppSettings) {}

  async run(flags: Record<string, CliFlagValue | undefined>, io: CliIO): Promise<number> {
    const app = await this.appSettings.get();
    if (flags.json) printJson(io, app && appJson(app));
    else if (app === null) io.stdout.write('The SP-API application is not configured: asc app:credentials:set --client-id … --client-secret-file … --application-id … --redirect-uri …\n');
    else printApp(io, app);
    return 0;
  }
}
