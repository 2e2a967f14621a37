import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { AdminViews, VIEWS_DIRECTORY } from '../../src/admin/renderer.ts';

function templateFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? templateFiles(full) : full.endsWith('.hbs') ? [full] : [];
  });
}

describe('admin views', () => {
  it('never print unescaped: no {{{ }}} or {{& }} in any template', () => {
    const files = templateFiles(VIEWS_DIRECTORY);
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) {
      const source = fs.readFileSync(file, 'utf8');
      expect(source, file).not.to.match(/\{\{\{|\{\{~?\s*&/);
    }
  });

  it('escapes data and refuses a view model that lacks a field', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asc-views-'));
    fs.mkdirSync(path.join(dir, 'partials'));
    fs.writeFileSync(path.join(dir, 'partials', 'x.hbs'), '');
    fs.writeFileSync(path.join(dir, 'probe.hbs'), '<p title="{{name}}">{{name}}</p>');
    const views = new AdminViews(dir);
    expect(views.render('probe', { name: `<img src=x onerror=alert(1)> "q" 'a'` })).to.equal(
      '<p title="&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;a&#x27;">&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; &quot;q&quot; &#x27;a&#x27;</p>',
    );
    expect(() => views.render('probe', {})).to.throw(/"name" not defined/);
  });
});
