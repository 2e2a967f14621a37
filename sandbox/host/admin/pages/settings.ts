/**
 * Settings: the modules' SettingsSection contributions the user may see, one scope at a time.
 * The section renders its fields (no <form> tag); the host wraps them in a form that posts to
 * /admin/settings/<id>?scope=<scope> with the CSRF token, and hands the POST to `save()`.
 */
import type { SettingsFieldError, SettingsSectionContribution } from '../../../../src/host/contributions.ts';
import { page, signedIn, type HostRoute, type Outcome, type SignedInContext } from '../context.ts';
import { HttpError } from '../http.ts';
import type { Router } from '../router.ts';
import { html } from '../views.ts';

function section(context: SignedInContext): SettingsSectionContribution {
  const found = context.host.registry.settings().find((s) => s.id === context.params.sectionId);
  if (!found) throw new HttpError(404, 'This settings section does not exist.');
  if (!context.admin.can(found.acl)) throw new HttpError(403, 'You are not allowed to see these settings.');
  return found;
}

async function chooseScope(context: SignedInContext, target: SettingsSectionContribution) {
  const scopes = await target.scopes();
  const requested = context.query.get('scope');
  const scope = requested === null ? scopes[0] : scopes.find((s) => s.id === requested);
  if (requested !== null && !scope) throw new HttpError(404, `Scope "${requested}" does not exist for these settings.`);
  return { scopes, scope };
}

async function sectionPage(
  context: SignedInContext,
  target: SettingsSectionContribution,
  errors: SettingsFieldError[] = [],
  submitted?: URLSearchParams,
  status?: number,
): Promise<Outcome> {
  const { scopes, scope } = await chooseScope(context, target);
  const form = scope ? html(await target.render(context.admin, scope.id, errors.length ? errors : undefined, submitted)) : null;
  return page(context, target.title, 'settings-section', {
    section: { id: target.id, title: target.title },
    scopes: scopes.map((s) => ({ ...s, selected: s.id === scope?.id })),
    scope: scope?.id,
    scopeLabel: scope?.label,
    form,
    errors,
  }, status);
}

export function registerSettingsPages(router: Router<HostRoute>): void {
  router.add('GET', '/settings', {
    acl: 'Host::settings',
    csrf: 'session',
    handle: async (raw) => {
      const context = signedIn(raw);
      const sections = context.host.registry.settings().filter((s) => context.admin.can(s.acl));
      return page(context, 'Settings', 'settings-list', { sections: sections.map((s) => ({ id: s.id, title: s.title })) });
    },
  });

  router.add('GET', '/settings/:sectionId', {
    acl: 'Host::settings',
    csrf: 'session',
    handle: async (raw) => {
      const context = signedIn(raw);
      return sectionPage(context, section(context));
    },
  });

  router.add('POST', '/settings/:sectionId', {
    acl: 'Host::settings',
    csrf: 'session',
    handle: async (raw) => {
      const context = signedIn(raw);
      const target = section(context);
      const { scope } = await chooseScope(context, target);
      if (!scope || context.query.get('scope') === null) throw new HttpError(400, 'Choose a scope first.');
      const submitted = new URLSearchParams(context.form);
      submitted.delete('csrf_token');
      const result = await target.save(context.admin, scope.id, submitted);
      if (!result.ok) return sectionPage(context, target, result.errors, submitted, 422);
      context.host.logger.info('Settings saved', { section: target.id, scope: scope.id, by: context.user.username });
      return {
        kind: 'redirect',
        location: `/admin/settings/${encodeURIComponent(target.id)}?scope=${encodeURIComponent(scope.id)}`,
        flash: 'Settings saved.',
      };
    },
  });
}
