import { expect } from 'chai';
import { ExactNumber, isExactNumber, serializeJson } from '@observes/protocol';
import { CellError, cellValue } from './csv-value.js';

const text = (value: unknown) => serializeJson(value);

describe('cellValue: a CSV cell typed by its field', () => {
  it('reads an empty cell as null whatever the type', () => {
    for (const kind of ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'list'] as const) expect(cellValue('', kind, ';')).to.equal(null);
  });

  it('keeps integers and decimals exact, as numbers', () => {
    expect(cellValue('-20', 'integer', ';')).to.equal(-20);
    expect(text(cellValue('9007199254740000993', 'integer', ';'))).to.equal('9007199254740000993');
    expect(text(cellValue('1234567890123456789012345678901234567890', 'integer', ';'))).to.equal('1234567890123456789012345678901234567890');
    expect(cellValue('1234.56', 'number', ';')).to.equal(1234.56);
    expect(isExactNumber(cellValue('0.1000000000000000055511151231257827', 'number', ';'))).to.equal(true);
    expect(text(cellValue('1.50', 'number', ';'))).to.equal('1.50');
    expect(text(cellValue('007', 'integer', ';'))).to.equal('7');
    expect(cellValue('1e3', 'number', ';')).to.deep.equal(new ExactNumber('1e3'));
  });

  it('refuses what does not fit, saying why', () => {
    expect(() => cellValue('12.5', 'integer', ';')).to.throw(CellError, '"12.5" is not an integer');
    expect(() => cellValue('1,234.50', 'number', ';')).to.throw(CellError, 'is not a number');
    expect(() => cellValue('NaN', 'number', ';')).to.throw(CellError);
    expect(() => cellValue('yes', 'boolean', ';')).to.throw(CellError, 'is not true or false');
    expect(() => cellValue('2024-02-30x', 'date', ';')).to.throw(CellError, 'is not a date');
    expect(() => cellValue('2024-03-01 10:00:05', 'datetime', ';')).to.throw(CellError, 'with an offset');
    expect(() => cellValue('x'.repeat(500), 'integer', ';')).to.throw(CellError, /…" is not an integer/);
  });

  it('keeps dates and date-times as written, zone included; splits multi-selects; keeps text verbatim', () => {
    expect(cellValue('2024-03-01T10:00:05+05:30', 'datetime', ';')).to.equal('2024-03-01T10:00:05+05:30');
    expect(cellValue('2024-03-01T10:00:05Z', 'datetime', ';')).to.equal('2024-03-01T10:00:05Z');
    expect(cellValue('1970-01-10', 'date', ';')).to.equal('1970-01-10');
    expect(cellValue('TRUE', 'boolean', ';')).to.equal(true);
    expect(cellValue('Go;Café;Hiking, long', 'list', ';')).to.deep.equal(['Go', 'Café', 'Hiking, long']);
    expect(cellValue('a|b', 'list', '|')).to.deep.equal(['a', 'b']);
    expect(cellValue(' spaced ', 'string', ';')).to.equal(' spaced ');
  });
});
