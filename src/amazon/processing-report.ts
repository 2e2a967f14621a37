/**
 * Reading Amazon's feed processing report (an XML AmazonEnvelope with a ProcessingReport): the
 * summary counts and one result per failed or warned MessageID, to map back to the orders of the
 * feed (see FeedMessageRef in feed-xml.ts).
 */
import { child, children, childText, parseXml, XmlParseError, type XmlElement } from './xml.ts';

/** What parseProcessingReport throws: the document is not XML or not a processing report. */
export { XmlParseError };

/** The tree with namespace prefixes dropped from element names: a report's elements are found by local name. */
const localNames = (element: XmlElement): XmlElement => ({ ...element, name: element.name.slice(element.name.indexOf(':') + 1), children: element.children.map(localNames) });

function findFirst(element: XmlElement, name: string): XmlElement | undefined {
  if (element.name === name) return element;
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
  const report = findFirst(localNames(parseXml(xml)), 'ProcessingReport');
  if (report === undefined) throw new XmlParseError('No ProcessingReport element in the document');
  const summaryElement = child(report, 'ProcessingSummary');
  if (summaryElement === undefined) throw new XmlParseError('ProcessingReport has no ProcessingSummary');
  const count = (name: string): number => {
    const text = childText(summaryElement, name);
    if (text === undefined) return 0; // Amazon leaves out zero counts in some reports
    if (!/^\d+$/.test(text)) throw new XmlParseError(`ProcessingSummary.${name} is not a count: "${text}"`);
    return Number(text);
  };
  const results = children(report, 'Result').map((result): ProcessingResult => {
    const id = childText(result, 'MessageID');
    const info = child(result, 'AdditionalInfo');
    return {
      messageId: id !== undefined && /^\d+$/.test(id) ? Number(id) : null,
      resultCode: childText(result, 'ResultCode') ?? '',
      resultMessageCode: childText(result, 'ResultMessageCode') ?? null,
      resultDescription: childText(result, 'ResultDescription') ?? '',
      additionalInfo: Object.fromEntries((info?.children ?? []).map((c) => [c.name, c.text.trim()])),
    };
  });
  return {
    documentTransactionId: childText(report, 'DocumentTransactionID') ?? null,
    statusCode: childText(report, 'StatusCode') ?? null,
    summary: {
      messagesProcessed: count('MessagesProcessed'),
      messagesSuccessful: count('MessagesSuccessful'),
      messagesWithError: count('MessagesWithError'),
      messagesWithWarning: count('MessagesWithWarning'),
    },
    results,
  };
}
