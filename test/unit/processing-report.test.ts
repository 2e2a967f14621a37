import { expect } from 'chai';
import { parseProcessingReport, parseXml, XmlParseError } from '../../src/amazon/processing-report.ts';
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

  it('decodes character references and attributes', () => {
    const root = parseXml(`<r a='1 &gt; 0' b="x"><t>&#72;&#x69;&apos;</t><e/></r>`);
    expect(root.attributes).to.deep.equal({ a: '1 > 0', b: 'x' });
    expect(root.children.map((c) => [c.name, c.text])).to.deep.equal([
      ['t', "Hi'"],
      ['e', ''],
    ]);
  });
});
