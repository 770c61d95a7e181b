import { expect } from 'chai';
import { detectStringFormat } from './string-format.js';

describe('string format detection', () => {
  const cases: [string, string | undefined][] = [
    ['2024-02-29', 'date'],
    ['2023-02-29', undefined],
    ['2024-13-01', undefined],
    ['2024-04-31', undefined],
    ['2024-01-02T03:04:05Z', 'date-time'],
    ['2024-01-02t03:04:05.123456789z', 'date-time'],
    ['2024-01-02T03:04:05+05:30', 'date-time'],
    ['2024-01-02T03:04:05', undefined], // naive: no zone
    ['2024-01-02 03:04:05Z', undefined], // ajv's fast date-time check wants the "T"
    ['2024-01-02T24:00:00Z', undefined],
    ['2024-01-02T03:60:00Z', undefined],
    ['2024-01-02T03:04:05+24:00', undefined],
    ['20240102', undefined],
    ['tomorrow', undefined],
  ];
  for (const [value, format] of cases) {
    it(`${JSON.stringify(value)} → ${format ?? 'no format'}`, () => {
      expect(detectStringFormat(value)).to.equal(format);
    });
  }
});
