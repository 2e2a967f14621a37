/**
 * The module's one Handlebars environment: templates from `views/*.hbs`, partials from
 * `views/partials/*.hbs`, compiled once and cached. Templates get plain view models (strings
 * already formatted) and print them with `{{ }}` only, so everything is HTML-escaped; a unit test
 * refuses `{{{` and `{{&` anywhere in views/.
 */
import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { injectable } from 'inversify';

export const VIEWS_DIRECTORY = path.resolve(import.meta.dirname, '../../views');

@injectable()
export class AdminViews {
  private readonly handlebars = Handlebars.create();
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly directory: string = VIEWS_DIRECTORY) {
    const partials = path.join(directory, 'partials');
    for (const file of fs.readdirSync(partials).filter((f) => f.endsWith('.hbs'))) {
      this.handlebars.registerPartial(file.slice(0, -'.hbs'.length), fs.readFileSync(path.join(partials, file), 'utf8'));
    }
    // `selected`/`checked`/`disabled` attributes from booleans, so templates stay free of logic.
    this.handlebars.registerHelper('attr', (name: string, on: unknown) => (on ? ` ${name}` : ''));
  }

  render(template: string, model: object): string {
    let compiled = this.templates.get(template);
    if (!compiled) {
      const source = fs.readFileSync(path.join(this.directory, `${template}.hbs`), 'utf8');
      // strict: a view model missing a field is a bug, found by the tests instead of rendering blank.
      compiled = this.handlebars.compile(source, { strict: true, preventIndent: true });
      this.templates.set(template, compiled);
    }
    return compiled(model);
  }
}
