/**
 * Server-rendered pages: Handlebars templates from sandbox/host/views, `{{ }}` only, so every value
 * is escaped. HTML that is already markup (a module's page or widget, a rendered page body) is
 * passed as a SafeString, never through a triple-stash.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

const VIEWS = path.resolve(import.meta.dirname, '../views');

export type Html = Handlebars.SafeString;

/** Marks markup that is already HTML (module fragments, rendered bodies) so it is not escaped again. */
export function html(markup: string): Html {
  return new Handlebars.SafeString(markup);
}

export interface NavItem {
  label: string;
  href: string;
  current: boolean;
}

export interface LayoutModel {
  title: string;
  user: { username: string; role: string } | null;
  nav: NavItem[];
  systemMessages: Html[];
  flash: string | null;
  csrfToken: string | null;
  body: Html;
}

export class Views {
  private readonly handlebars = Handlebars.create();
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(directory = VIEWS) {
    this.handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
    this.handlebars.registerHelper('date', (value: unknown) =>
      value instanceof Date ? `${value.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '',
    );
    for (const file of fs.readdirSync(directory).filter((f) => f.endsWith('.hbs'))) {
      const source = fs.readFileSync(path.join(directory, file), 'utf8');
      this.templates.set(file.replace(/\.hbs$/, ''), this.handlebars.compile(source, { strict: false, noEscape: false }));
    }
  }

  render(name: string, model: object): string {
    const template = this.templates.get(name);
    if (!template) throw new Error(`No template "${name}"`);
    return template(model);
  }

  page(layout: LayoutModel): string {
    return this.render('layout', layout);
  }
}
