/**
 * Reading Amazon's feed processing report (an XML AmazonEnvelope with a ProcessingReport): the
 * summary counts and one result per failed or warned MessageID, to map back to the orders of the
 * feed (see FeedMessageRef in feed-xml.ts).
 *
 * The report is small and simple XML, so a minimal reader is enough: elements, attributes, text,
 * CDATA, comments and processing instructions; the five predefined entities and numeric character
 * references. No DTDs: a report that needs one is not a report.
 */
import { own } from '../own.ts';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text content directly inside this element (entities decoded). */
  text: string;
}

export class XmlParseError extends Error {
  override name = 'XmlParseError';
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const named = own(NAMED_ENTITIES, ref);
    if (named === undefined) throw new XmlParseError(`Unknown XML entity ${whole}`);
    return named;
  });
}

const NAME = /^[A-Za-z_:][\w.:-]*/;

export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;

  const addText = (text: string) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.text += text;
    else if (text.trim() !== '') throw new XmlParseError('Text outside the root element');
  };
  const indexAfter = (token: string, from: number, what: string) => {
    const at = xml.indexOf(token, from);
    if (at === -1) throw new XmlParseError(`Unterminated ${what}`);
    return at + token.length;
  };

  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    if (lt === -1) {
      addText(decodeEntities(xml.slice(i)));
      break;
    }
    if (lt > i) addText(decodeEntities(xml.slice(i, lt)));
    if (xml.startsWith('<?', lt)) {
      i = indexAfter('?>', lt, 'processing instruction');
    } else if (xml.startsWith('<!--', lt)) {
      i = indexAfter('-->', lt, 'comment');
    } else if (xml.startsWith('<![CDATA[', lt)) {
      const end = indexAfter(']]>', lt, 'CDATA section');
      addText(xml.slice(lt + 9, end - 3));
      i = end;
    } else if (xml.startsWith('<!', lt)) {
      if (xml.slice(lt, xml.indexOf('>', lt)).includes('[')) throw new XmlParseError('DTD internal subsets are not supported');
      i = indexAfter('>', lt, 'declaration');
    } else if (xml.startsWith('</', lt)) {
      const end = indexAfter('>', lt, 'end tag');
      const name = xml.slice(lt + 2, end - 1).trim();
      const open = stack.pop();
      if (!open || open.name !== name) throw new XmlParseError(`Unexpected </${name}>${open ? `, expected </${open.name}>` : ''}`);
      i = end;
    } else {
      // Find the tag's closing ">" outside attribute quotes.
      let end = lt + 1;
      let quote: string | null = null;
      for (; end < xml.length; end++) {
        const c = xml[end];
        if (quote !== null) {
          if (c === quote) quote = null;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (end >= xml.length) throw new XmlParseError('Unterminated start tag');
      let inside = xml.slice(lt + 1, end);
      const selfClosing = inside.endsWith('/');
      if (selfClosing) inside = inside.slice(0, -1);
      const name = NAME.exec(inside)?.[0];
      if (name === undefined) throw new XmlParseError(`Malformed tag at offset ${lt}`);
      const attributes: Record<string, string> = {};
      const attributePattern = /([A-Za-z_:][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/g;
      for (const match of inside.slice(name.length).matchAll(attributePattern)) {
        attributes[match[1]] = decodeEntities(match[3] ?? match[4] ?? '');
      }
      const element: XmlElement = { name, attributes, children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root === null) root = element;
      else throw new XmlParseError('More than one root element');
      if (!selfClosing) stack.push(element);
      i = end + 1;
    }
  }
  if (stack.length > 0) throw new XmlParseError(`Unclosed <${stack[stack.length - 1].name}>`);
  if (root === null) throw new XmlParseError('No root element');
  return root;
}

/** Local name, without a namespace prefix. */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => local(c.name) === name);
}

export function childText(element: XmlElement, name: string): string | null {
  const found = child(element, name);
  return found === undefined ? null : found.text.trim();
}

function findFirst(element: XmlElement, name: string): XmlElement | undefined {
  if (local(element.name) === name) return element;
  for (const c of element.children) {
    const found = findFirst(c, name);
    if (found) return found;
  }
  return undefined;
}

export interface ProcessingSummary {
  messagesProcessed: number;
  messagesSuccessful: number;
  messagesWithError: number;
  messagesWithWarning: number;
}

export interface ProcessingResult {
  /** The MessageID of the feed message this result is about; 0 or null for the whole document. */
  messageId: number | null;
  /** "Error" or "Warning". */
  resultCode: string;
  resultMessageCode: string | null;
  resultDescription: string;
  /** AdditionalInfo children, e.g. { AmazonOrderID: "...", SKU: "..." }. */
  additionalInfo: Record<string, string>;
}

export interface ProcessingReport {
  documentTransactionId: string | null;
  /** "Complete" when Amazon processed the feed. */
  statusCode: string | null;
  summary: ProcessingSummary;
  results: ProcessingResult[];
}

/** Parses a processing report; throws XmlParseError when it is not one. */
export function parseProcessingReport(xml: string): ProcessingReport {
  const report = findFirst(parseXml(xml), 'ProcessingReport');
  if (report === undefined) throw new XmlParseError('No ProcessingReport element in the document');
  const summaryElement = child(report, 'ProcessingSummary');
  if (summaryElement === undefined) throw new XmlParseError('ProcessingReport has no ProcessingSummary');
  const count = (name: string): number => {
    const text = childText(summaryElement, name);
    if (text === null) return 0; // Amazon leaves out zero counts in some reports
    if (!/^\d+$/.test(text)) throw new XmlParseError(`ProcessingSummary.${name} is not a count: "${text}"`);
    return Number(text);
  };
  const results = report.children
    .filter((c) => local(c.name) === 'Result')
    .map((result): ProcessingResult => {
      const id = childText(result, 'MessageID');
      const info = child(result, 'AdditionalInfo');
      return {
        messageId: id !== null && /^\d+$/.test(id) ? Number(id) : null,
        resultCode: childText(result, 'ResultCode') ?? '',
        resultMessageCode: childText(result, 'ResultMessageCode'),
        resultDescription: childText(result, 'ResultDescription') ?? '',
        additionalInfo: Object.fromEntries((info?.children ?? []).map((c) => [local(c.name), c.text.trim()])),
      };
    });
  return {
    documentTransactionId: childText(report, 'DocumentTransactionID'),
    statusCode: childText(report, 'StatusCode'),
    summary: {
      messagesProcessed: count('MessagesProcessed'),
      messagesSuccessful: count('MessagesSuccessful'),
      messagesWithError: count('MessagesWithError'),
      messagesWithWarning: count('MessagesWithWarning'),
    },
    results,
  };
}
