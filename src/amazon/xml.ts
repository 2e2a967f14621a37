/**
 * XML on fast-xml-parser, for the module's feeds and processing reports and the sandbox's feed
 * parsing. parseXml reads a document into an XmlElement tree and refuses, with line and column,
 * what is not well-formed XML or not accepted: a DOCTYPE or any other declaration (so no entity is
 * ever defined or expanded), references other than the five predefined entities and character
 * references, characters XML cannot carry. renderXml writes an el() tree, escaped by the builder.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element, CDATA included, entities decoded, not trimmed (line ends as \n). */
  text: string;
}

/** A document that is not the XML expected. */
export class XmlParseError extends Error {
  override name = 'XmlParseError';
}

/** A document that is not well-formed or not accepted XML, at a line and column. */
export class XmlError extends XmlParseError {
  override name = 'XmlError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`XML error at line ${line}, column ${column}: ${message}`);
  }
}

/** Characters XML 1.0 does not allow in a document. */
const INVALID_XML_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MAX_DEPTH = 100;
const PREDEFINED_ENTITIES = new Set(['&lt;', '&gt;', '&amp;', '&quot;', '&apos;']);
/** Names the parser refuses (they would reach Object.prototype); refused here, with a position. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

const parser = new XMLParser({
  preserveOrder: true, // children in document order, repeated elements kept
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false, // amounts and ids stay strings
  parseAttributeValue: false,
  htmlEntities: true, // decodes character references; HTML's named entities are refused before parsing
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
  onDangerousProperty: (name: string) => name, // "toString" stays "toString": the tree has own keys only
});

function fail(source: string, message: string, at: number): never {
  const before = source.slice(0, at);
  throw new XmlError(message, before.split('\n').length, at - before.lastIndexOf('\n'));
}

export function parseXml(xml: string): XmlElement {
  const source = xml.replace(/^\uFEFF/, '');
  const invalid = XMLValidator.validate(source);
  if (invalid !== true) {
    const { msg, line, col } = invalid.err;
    // A mismatched end tag is said by the tag that does not fit, as the module's readers always said it.
    const mismatch = /^Expected closing tag '(.*)' \(.*\) instead of closing tag '(.*)'\.$/.exec(msg);
    throw new XmlError(mismatch ? `Unexpected </${mismatch[2]}>, expected </${mismatch[1]}>` : msg, line, col ?? 1); // no column: no element at all
  }
  refuseWhatTheValidatorAccepts(source);
  const root = (parser.parse(source) as OrderedNode[]).find((node) => !('#text' in node))!;
  return toElement(root);
}

const REFERENCE = /&[^;\s<&]*;?/g;
/** Comment, CDATA, processing instruction; a declaration; a tag (end mark, name, attributes, self-closing mark); a reference; text. */
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!|<(\/?)([^\s/>]+)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>|&[^;\s<&]*;?|[^<&\s]+/g;
const ATTRIBUTE = /([^\s=]+)\s*=\s*("[^"]*"|'[^']*')/g;

/** The validator checks tags and attributes; this, on a document it accepted, the rest. */
function refuseWhatTheValidatorAccepts(source: string): void {
  const invalid = INVALID_XML_CHAR.exec(source);
  if (invalid) fail(source, 'a character XML cannot carry', invalid.index);
  let depth = 0;
  let roots = 0;
  for (const token of source.matchAll(TOKEN)) {
    const [text, closing, name, attributes, selfClosing] = token;
    const at = token.index;
    if (/^<\?xml\s/.test(text)) {
      const encoding = /\sencoding\s*=\s*["']([^"']*)/.exec(text)?.[1];
      if (!/^<\?xml\s+version\s*=\s*["']1\.[01]["']/.test(text)) fail(source, 'the XML declaration needs version="1.0"', at);
      if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) fail(source, `unsupported encoding ${encoding}`, at);
    } else if (text === '<!') {
      fail(source, 'DOCTYPE and other declarations are not allowed', at);
    } else if (name !== undefined) {
      if (closing) {
        depth--;
        continue;
      }
      if (depth === 0 && ++roots > 1) fail(source, 'more than one root element', at);
      if (!selfClosing && ++depth > MAX_DEPTH) fail(source, `elements nested deeper than ${MAX_DEPTH}`, at);
      if (RESERVED_NAMES.has(name)) fail(source, `the element name ${name} is not accepted`, at);
      const attributesAt = at + 1 + name.length;
      for (const attribute of attributes!.matchAll(ATTRIBUTE)) {
        const [whole, attributeName, quoted] = attribute;
        const valueAt = attributesAt + attribute.index + whole.length - quoted!.length;
        if (RESERVED_NAMES.has(attributeName!)) fail(source, `the attribute name ${attributeName} is not accepted`, attributesAt + attribute.index);
        if (quoted!.includes('<')) fail(source, '"<" in an attribute value', valueAt + quoted!.indexOf('<'));
        for (const reference of quoted!.matchAll(REFERENCE)) checkReference(source, reference[0], valueAt + reference.index);
      }
    } else if (text.startsWith('&')) {
      checkReference(source, text, at);
    } else if (!text.startsWith('<')) {
      if (depth === 0) fail(source, 'text outside the root element', at);
      if (text.includes(']]>')) fail(source, '"]]>" in text', at + text.indexOf(']]>'));
    }
  }
}

function checkReference(source: string, reference: string, at: number): void {
  if (PREDEFINED_ENTITIES.has(reference)) return;
  const digits = /^&#(?:x([0-9a-fA-F]+)|([0-9]+));$/.exec(reference);
  if (digits === null) fail(source, reference.endsWith(';') ? `Unknown XML entity ${reference}` : 'unescaped "&"', at);
  const code = digits[1] !== undefined ? parseInt(digits[1], 16) : Number(digits[2]);
  if (code > 0x10ffff || INVALID_XML_CHAR.test(String.fromCodePoint(code))) fail(source, `invalid character reference ${reference}`, at);
}

/** The parser's and builder's node: `{ [name]: children, ':@': attributes }` or `{ '#text': text }`. */
type OrderedNode = Record<string, unknown>;

function toElement(node: OrderedNode): XmlElement {
  const name = Object.keys(node).find((key) => key !== ':@')!;
  const element: XmlElement = { name, attributes: { ...(node[':@'] as Record<string, string> | undefined) }, children: [], text: '' };
  for (const content of node[name] as OrderedNode[]) {
    if ('#text' in content) element.text += content['#text'] as string;
    else element.children.push(toElement(content));
  }
  return element;
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
  return child(element, name)?.text.trim();
}

export interface XmlNode {
  name: string;
  attributes: Record<string, string>;
  content: Array<XmlNode | string>;
}

type Content = XmlNode | string | number | undefined | null;

/** Text XML can carry; anything else is refused rather than silently altered. */
function xmlText(text: string): string {
  if (INVALID_XML_CHAR.test(text)) throw new Error('Text contains a character XML cannot carry (a control character)');
  return text;
}

/** An element node; undefined and null content is left out, so optional elements read naturally. */
export function el(name: string, ...content: Content[]): XmlNode {
  return elWithAttributes(name, {}, ...content);
}

/** Checks the text when the tree is built, so a refusal is raised where the text was given. */
export function elWithAttributes(name: string, attributes: Record<string, string>, ...content: Content[]): XmlNode {
  return {
    name,
    attributes: Object.fromEntries(Object.entries(attributes).map(([key, value]) => [key, xmlText(value)])),
    content: content.filter((c): c is XmlNode | string | number => c !== undefined && c !== null).map((c) => (typeof c === 'object' ? c : xmlText(String(c)))),
  };
}

const builderOptions = { preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '' };
const compact = new XMLBuilder(builderOptions);
const indented = new XMLBuilder({ ...builderOptions, format: true, indentBy: '  ', suppressEmptyNode: true });

function toJson(node: XmlNode | string): OrderedNode {
  return typeof node === 'string' ? { '#text': node } : { [node.name]: node.content.map(toJson), ':@': node.attributes };
}

/**
 * Renders a tree after an XML declaration: indented by two spaces, or compact (no whitespace but
 * the text nodes given).
 */
export function renderXml(root: XmlNode, layout: 'indented' | 'compact' = 'indented'): string {
  const body = (layout === 'indented' ? indented : compact).build([toJson(root)]) as string;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body.trimStart()}\n`;
}

/** XML-escapes text as the builder does (the five predefined entities); refuses what XML cannot carry. */
export function escapeXml(text: string): string {
  return compact.build([{ '#text': xmlText(text) }]) as string;
}
