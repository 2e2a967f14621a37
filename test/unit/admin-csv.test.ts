import { expect } from 'chai';
import { csvCell, csvLine } from '../../src/admin/csv.ts';

describe('admin CSV', () => {
  it('quotes as RFC 4180: commas, quotes and line breaks', () => {
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell('Smith, Jane')).to.equal('"Smith, Jane"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines')).to.equal('"two\nlines"');
    expect(csvCell(null)).to.equal('');
    expect(csvCell(12)).to.equal('12');
    expect(csvLine(['a', 'b,c', null])).to.equal('a,"b,c",\r\n');
  });

  it('neutralizes spreadsheet formulas from Amazon text', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).to.equal(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    for (const start of ['+', '-', '@', '\t', '\r']) expect(csvCell(`${start}cmd`).includes(`'${start}cmd`), JSON.stringify(start)).to.equal(true);
    expect(csvCell('Jane = Q')).to.equal('Jane = Q');
    expect(csvCell('113-0000001-0000001')).to.equal('113-0000001-0000001');
  });
});
