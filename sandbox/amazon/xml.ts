/**
 * A small, strict XML reader and writer for the feed subset: one root element, elements,
 * attributes, text, the five predefined entities and character references, comments, CDATA and
 * an XML declaration. No DOCTYPE (so no entity expansion), no processing instructions elsewhere.
 * Anything outside that subset or not well-formed is an XmlError with line and column.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside the element (not trimmed). */
  text: string;
}

export class XmlError extends Error {
  override name = 'XmlError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`XML error at line ${line}, column ${column}: ${message}`);
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class Reader {
  pos = 0;
  constructor(readonly src: string) {}

  fail(message: string, at = this.pos): never {
    const before = this.src.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new XmlError(message, line, column);
  }

  startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  expect(s: string): void {
    if (!this.startsWith(s)) this.fail(`expected "${s}"`);
    this.pos += s.length;
  }

  skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  name(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.src);
    if (!m) this.fail('expected a name');
    this.pos += m[0].length;
    return m[0];
  }

  /** Reads until `end`, returning the text before it and consuming `end`. */
  until(end: string, what: string): string {
    const idx = this.src.indexOf(end, this.pos);
    if (idx < 0) this.fail(`unterminated ${what}`);
    const text = this.src.slice(this.pos, idx);
    this.pos = idx + end.length;
    return text;
  }

  decode(raw: string, start: number): string {
    return raw.replace(/&([^;&\s<]*);|&/g, (match, entity: string | undefined, offset: number) => {
      if (entity === undefined) this.fail('unescaped "&"', start + offset);
      if (entity.startsWith('#')) {
        const code = entity.startsWith('#x') ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        const digitsOk = entity.startsWith('#x') ? /^#x[0-9a-fA-F]+$/.test(entity) : /^#\d+$/.test(entity);
        if (!digitsOk || !isXmlChar(code)) this.fail(`invalid character reference "${match}"`, start + offset);
        return String.fromCodePoint(code);
      }
      const value = Object.hasOwn(ENTITIES, entity) ? ENTITIES[entity] : undefined;
      if (value === undefined) this.fail(`unknown entity "${match}"`, start + offset);
      return value;
    });
  }
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/** Skips comments and whitespace between top-level constructs. */
function skipMisc(r: Reader): void {
  for (;;) {
    r.skipSpace();
    if (r.startsWith('<!--')) {
      r.pos += 4;
      r.until('-->', 'comment');
    } else if (r.startsWith('<!DOCTYPE') || r.startsWith('<!doctype')) {
      r.fail('DOCTYPE is not allowed');
    } else if (r.startsWith('<?')) {
      r.fail('processing instructions are not allowed here');
    } else return;
  }
}

function readElement(r: Reader): XmlElement {
  r.expect('<');
  const name = r.name();
  const attributes: Record<string, string> = {};
  for (;;) {
    const hadSpace = /\s/.test(r.src[r.pos] ?? '');
    r.skipSpace();
    if (r.startsWith('/>')) {
      r.pos += 2;
      return { name, attributes, children: [], text: '' };
    }
    if (r.startsWith('>')) {
      r.pos += 1;
      break;
    }
    if (r.pos >= r.src.length) r.fail(`unterminated start tag <${name}>`);
    if (!hadSpace) r.fail('expected whitespace before attribute');
    const attr = r.name();
    r.skipSpace();
    r.expect('=');
    r.skipSpace();
    const quote = r.src[r.pos];
    if (quote !== '"' && quote !== "'") r.fail('attribute value must be quoted');
    r.pos += 1;
    const start = r.pos;
    const raw = r.until(quote, 'attribute value');
    if (raw.includes('<')) r.fail('"<" in attribute value', start);
    if (attr in attributes) r.fail(`duplicate attribute "${attr}"`, start);
    attributes[attr] = r.decode(raw, start);
  }
  const element: XmlElement = { name, attributes, children: [], text: '' };
  for (;;) {
    if (r.pos >= r.src.length) r.fail(`element <${name}> is not closed`);
    if (r.startsWith('</')) {
      r.pos += 2;
      const closing = r.name();
      if (closing !== name) r.fail(`closing tag </${closing}> does not match <${name}>`);
      r.skipSpace();
      r.expect('>');
      return element;
    }
    if (r.startsWith('<!--')) {
      r.pos += 4;
      r.until('-->', 'comment');
    } else if (r.startsWith('<![CDATA[')) {
      r.pos += 9;
      element.text += r.until(']]>', 'CDATA section');
    } else if (r.startsWith('<!') || r.startsWith('<?')) {
      r.fail('declarations and processing instructions are not allowed inside elements');
    } else if (r.startsWith('<')) {
      element.children.push(readElement(r));
    } else {
      const start = r.pos;
      const next = r.src.indexOf('<', r.pos);
      const raw = r.src.slice(r.pos, next < 0 ? r.src.length : next);
      r.pos += raw.length;
      if (raw.includes(']]>')) r.fail('"]]>" in text', start + raw.indexOf(']]>'));
      element.text += r.decode(raw, start);
    }
  }
}

export function parseXml(source: string): XmlElement {
  const r = new Reader(source.startsWith('\uFEFF') ? source.slice(1) : source);
  if (r.startsWith('<?xml')) {
    r.pos += 5;
    const decl = r.until('?>', 'XML declaration');
    if (!/^\s+version\s*=\s*["']1\.[01]["']/.test(decl)) r.fail('XML declaration needs version="1.0"', 0);
    const encoding = /encoding\s*=\s*["']([^"']+)["']/.exec(decl);
    if (encoding && !/^utf-?8$/i.test(encoding[1]!)) r.fail(`unsupported encoding ${encoding[1]}`, 0);
  }
  skipMisc(r);
  if (!r.startsWith('<')) r.fail(r.pos >= r.src.length ? 'no root element' : 'text outside the root element');
  const root = readElement(r);
  skipMisc(r);
  if (r.pos < r.src.length) r.fail('content after the root element');
  return root;
}

/** The first child element called `name`. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** Trimmed text of the first child called `name`, or undefined when there is no such child. */
export function childText(element: XmlElement, name: string): string | undefined {
  const c = child(element, name);
  return c === undefined ? undefined : c.text.trim();
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  content: Array<XmlNode | string>;
}

type Content = XmlNode | string | number | undefined | null;

/** An element node; undefined and null content is left out, so optional elements read naturally. */
export function el(name: string, ...content: Content[]): XmlNode {
  return elWithAttributes(name, {}, ...content);
}

export function elWithAttributes(name: string, attributes: Record<string, string>, ...content: Content[]): XmlNode {
  return {
    name,
    attributes,
    content: content.filter((c): c is XmlNode | string | number => c !== undefined && c !== null).map((c) => (typeof c === 'number' ? String(c) : c)),
  };
}

/** Renders a node tree with two-space indentation and an XML declaration. */
export function renderXml(root: XmlNode): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderNode(root, '')}\n`;
}

function renderNode(node: XmlNode, indent: string): string {
  const attrs = Object.entries(node.attributes)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
  const { name, content } = node;
  if (content.length === 0) return `${indent}<${name}${attrs}/>`;
  if (content.every((c) => typeof c === 'string')) return `${indent}<${name}${attrs}>${escapeXml(content.join(''))}</${name}>`;
  const inner = content.map((c) => (typeof c === 'string' ? `${indent}  ${escapeXml(c)}` : renderNode(c, `${indent}  `))).join('\n');
  return `${indent}<${name}${attrs}>\n${inner}\n${indent}</${name}>`;
}
