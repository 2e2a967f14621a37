import { expect } from 'chai';
import { parseProcessingReport, XmlParseError } from '../../src/amazon/processing-report.ts';
import { parseXml, XmlError } from '../../src/amazon/xml.ts';
import { SAMPLE_REPORT } from '../support/amazon-fixtures.ts';


describe('processing report', () => {
  it('reads the summary counts and each result by MessageID', () => {
    const report = parseProcessingReport(SAMPLE_REPORT);
    expect(report.documentTransactionId).to.equal('50123456789');
    expect(report.statusCode).to.equal('Complete');
    expect(report.summary).to.deep.equal({ messagesProcessed: 3, messagesSuccessful: 1, messagesWithError: 2, messagesWithWarning: 0 });
    expect(report.results).to.deep.equal([
      {
        messageId: 2,
        resultCode: 'Error',
        resultMessageCode: '18028',
        resultDescription: 'The data you submitted is incomplete or invalid & was <rejected>.',
        additionalInfo: { AmazonOrderID: '111-2' },
      },
      { messageId: 3, resultCode: 'Error', resultMessageCode: '25', resultDescription: 'Order 111-3 <cannot> be cancelled', additionalInfo: {} },
    ]);
  });

  it('refuses documents that are not a processing report or not XML', () => {
    expect(() => parseProcessingReport('<AmazonEnvelope><Message/></AmazonEnvelope>')).to.throw(XmlParseError, /No ProcessingReport/);
    expect(() => parseProcessingReport('<ProcessingReport><StatusCode>Complete</StatusCode></ProcessingReport>')).to.throw(XmlParseError, /ProcessingSummary/);
    expect(() => parseProcessingReport('{"errors": []}')).to.throw(XmlParseError);
    expect(() => parseProcessingReport('<a><b></a></b>')).to.throw(XmlParseError, /Unexpected <\/a>/);
    expect(() => parseProcessingReport('<ProcessingReport><ProcessingSummary><MessagesProcessed>x</MessagesProcessed></ProcessingSummary></ProcessingReport>')).to.throw(/not a count/);
  });

  it('refuses a DOCTYPE before the parser sees it: no entity is ever defined or expanded', () => {
    const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<ProcessingReport><ProcessingSummary><MessagesProcessed>&lol3;</MessagesProcessed></ProcessingSummary></ProcessingReport>`;
    expect(() => parseProcessingReport(laughs)).to.throw(XmlError, 'XML error at line 2, column 1: DOCTYPE and other declarations are not allowed');
    expect(() => parseXml('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>')).to.throw(XmlParseError, /line 1, column 1: DOCTYPE/);
    expect(() => parseXml('<r><!ENTITY x "y"></r>')).to.throw(XmlError, /line 1, column 4: DOCTYPE and other declarations/);
    // In a comment or CDATA it is text, not a declaration.
    expect(parseXml('<r><!-- <!DOCTYPE r> --><![CDATA[<!ENTITY x "y"> &x;]]></r>').text).to.equal('<!ENTITY x "y"> &x;');
  });

  it('decodes character references and attributes', () => {
    const root = parseXml(`<r a='1 &gt; 0' b="x"><t>&#72;&#x69;&apos;</t><e/></r>`);
    expect(root.attributes).to.deep.equal({ a: '1 > 0', b: 'x' });
    expect(root.children.map((c) => [c.name, c.text])).to.deep.equal([
      ['t', "Hi'"],
      ['e', ''],
    ]);
  });
});
