/** Renders the widgets of one zone that the user may see; a failing widget is logged and left out. */
import type { WidgetZone } from '../../../src/host/contributions.ts';
import type { SignedInContext } from './context.ts';
import { html, type Html } from './views.ts';

export async function renderZone(context: SignedInContext, zone: WidgetZone): Promise<Html[]> {
  const out: Html[] = [];
  for (const widget of context.host.registry.widgets(zone)) {
    if (!context.admin.can(widget.acl)) continue;
    try {
      const markup = await widget.render(context.admin);
      if (markup !== null && markup.trim() !== '') out.push(html(markup));
    } catch (error) {
      context.host.logger.error('Widget failed to render', { widget: widget.id, zone, error });
    }
  }
  return out;
}
