/**
 * Seller Central's side of the website authorization workflow (OAuth): the consent page an app
 * sends the seller's browser to (`GET /apps/authorize/consent?application_id=&state=&redirect_uri=`)
 * and the seller's answer (the page's form, POSTed back), a 302 to the app's redirect URI with
 * state, selling_partner_id and spapi_oauth_code (the app exchanges the code at LWA, lwa.ts).
 * What Amazon shows as an error page (unknown app, MD1000, MD5101, no state) is an HTML 400 and
 * never redirects. The seller is "signed in" as whichever seller the sandbox knows they pick.
 */
import type { SandboxRequest, SandboxResponse } from './http.ts';
import type { Lwa, RegisteredApp } from './lwa.ts';

export const CONSENT_PATH = '/apps/authorize/consent';

interface Consent {
  app: Readonly<RegisteredApp>;
  state: string;
  redirectUri: string;
  /** version=beta: the test workflow of a Draft app. */
  beta: boolean;
}

type Checked = { ok: true; consent: Consent } | { ok: false; response: SandboxResponse };

export function handleConsent(lwa: Lwa, req: SandboxRequest): SandboxResponse {
  if (req.method === 'GET') return consentPage(lwa, req.query);
  if (req.method === 'POST') return consentAnswer(lwa, req);
  const response = errorPage(405, undefined, `Use GET or POST on ${CONSENT_PATH}.`);
  return { ...response, headers: { ...response.headers, allow: 'GET, POST' } };
}

function consentPage(lwa: Lwa, query: URLSearchParams): SandboxResponse {
  const checked = checkConsent(lwa, query);
  if (!checked.ok) return checked.response;
  const { app, state, redirectUri, beta } = checked.consent;
  const sellers = lwa.sellers()
    .map((sellerId, i) => `<label><input type="radio" name="selling_partner_id" value="${html(sellerId)}"${i === 0 ? ' checked' : ''}> ${html(sellerId)}</label>`)
    .join('\n');
  const hidden = { application_id: app.applicationId, state, redirect_uri: redirectUri, ...(beta ? { version: 'beta' } : {}) };
  const body = `<h1>Authorize ${html(app.name)}</h1>
<p>Application id: <code>${html(app.applicationId)}</code>${app.draft ? ' (Draft)' : ''}</p>
<p>${html(app.name)} will be able to call the Selling Partner API for the seller you choose. You return to <code>${html(redirectUri)}</code>.</p>
<form method="post" action="${CONSENT_PATH}">
${Object.entries(hidden).map(([name, value]) => `<input type="hidden" name="${name}" value="${html(value)}">`).join('\n')}
<fieldset><legend>Signed in as seller</legend>
${sellers}
</fieldset>
<button type="submit" name="decision" value="approve">Confirm</button>
<button type="submit" name="decision" value="deny">Cancel</button>
</form>`;
  // The form posts here and is redirected to the app: a browser enforces form-action on both.
  return page(200, `Authorize ${app.name}`, body, `'self' ${new URL(redirectUri).origin}`);
}

function consentAnswer(lwa: Lwa, req: SandboxRequest): SandboxResponse {
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(String(req.headers['content-type'] ?? ''))) {
    return errorPage(400, undefined, 'Send the consent form as application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams(req.body.toString('utf8'));
  const checked = checkConsent(lwa, form);
  if (!checked.ok) return checked.response;
  const { app, state, redirectUri } = checked.consent;
  const decision = form.get('decision');
  if (decision === 'deny') {
    // Amazon does not document the redirect of a declined consent: this is OAuth 2.0's (RFC 6749, 4.1.2.1).
    return redirect(redirectUri, { error: 'access_denied', error_description: 'The selling partner declined to authorize the application.', state });
  }
  if (decision !== 'approve') return errorPage(400, undefined, 'Choose Confirm or Cancel.');
  const sellerId = form.get('selling_partner_id') ?? '';
  if (!lwa.sellers().includes(sellerId)) return errorPage(400, undefined, `The sandbox knows no seller "${sellerId}" (POST /_sandbox/sellers adds one).`);
  const code = lwa.issueCode({ clientId: app.clientId, sellerId }, redirectUri);
  return redirect(redirectUri, { state, selling_partner_id: sellerId, spapi_oauth_code: code });
}

/** The checks Seller Central makes before showing the page, made again on the answer. */
function checkConsent(lwa: Lwa, params: URLSearchParams): Checked {
  const applicationId = params.get('application_id') ?? '';
  const app = applicationId === '' ? undefined : lwa.appByApplicationId(applicationId);
  if (!app) return refused(errorPage(400, undefined, `No application has the id "${applicationId}".`));
  const beta = params.get('version') === 'beta';
  if (app.draft && !beta) {
    return refused(errorPage(400, 'MD1000', 'This error occurs when the OAuth production workflow is authorizing an SP-API application that is in Draft state. Add version=beta to the OAuth authorization URI.'));
  }
  // Without redirect_uri Amazon uses the app's first registered one.
  const redirectUri = params.get('redirect_uri') ?? app.redirectUris[0];
  if (redirectUri === undefined || !app.redirectUris.includes(redirectUri)) {
    const listed = app.redirectUris.length === 0 ? 'none (POST /_sandbox/apps/{clientId}/redirect-uris adds one)' : app.redirectUris.join(', ');
    return refused(errorPage(400, 'MD5101', `The OAuth redirect URI provided doesn't match one of the redirect URIs listed for the application. Listed: ${listed}.`));
  }
  const state = params.get('state') ?? '';
  if (state === '') return refused(errorPage(400, undefined, 'The request is missing a required parameter : state'));
  return { ok: true, consent: { app, state, redirectUri, beta } };
}

function refused(response: SandboxResponse): Checked {
  return { ok: false, response };
}

/** The redirect URI keeps its own query; the answer's parameters are added to it. */
function redirect(redirectUri: string, params: Record<string, string>): SandboxResponse {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } };
}

function errorPage(status: number, code: string | undefined, message: string): SandboxResponse {
  const title = code === undefined ? 'Authorization error' : `Error ${code}`;
  return page(status, title, `<h1>${html(title)}</h1>\n<p>${html(message)}</p>`, "'none'");
}

function page(status: number, title: string, body: string, formAction: string): SandboxResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
      'cache-control': 'no-store',
    },
    raw: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${html(title)} - Seller Central (Amazon sandbox)</title>
<style>body{font-family:sans-serif;max-width:40rem;margin:2rem auto}.sandbox{background:#fff3cd;padding:.5rem}label{display:block}</style></head>
<body>
<p class="sandbox">Seller Central of the local Amazon sandbox, not Amazon's.</p>
${body}
</body>
</html>
`,
  };
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
