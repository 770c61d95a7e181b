import { ExactNumber } from '@observes/protocol';
import type { ValueKind } from './field-schema.js';

/** A CSV cell that does not fit its field's type. */
export class CellError extends Error {
  override name = 'CellError';
}

const INTEGER = /^-?\d+$/;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// The CSV gives date-times "in the ISO8601 format" (https://www.zoho.com/crm/developer/docs/api/v7/bulk-read/download-result.html),
// with the account's offset, e.g. 2021-02-22T15:39:26+05:30: kept as written, zone included.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A number's text as a JSON number: a plain number when a double holds it exactly, else an {@link ExactNumber}. */
function numberValue(text: string): number | ExactNumber {
  // Normalise what JSON would refuse (leading zeros) without changing the value.
  const normalised = text.replace(/^(-?)0+(?=\d)/, '$1');
  const value = Number(normalised);
  if (Number.isFinite(value) && String(value) === normalised) return value;
  return new ExactNumber(normalised);
}

/**
 * Converts one exported CSV cell to its JSON value. An empty cell is null (the CSV cannot tell an empty text from no
 * value). Numbers are never rounded: what a double cannot hold stays exact. Multi-select picklists become lists.
 * @throws CellError when the text does not fit the kind
 */
export function cellValue(text: string, kind: ValueKind, separator: string): unknown {
  if (text === '') return null;
  switch (kind) {
    case 'string':
      return text;
    case 'integer':
      if (!INTEGER.test(text)) throw new CellError(`${JSON.stringify(clip(text))} is not an integer`);
      return numberValue(text);
    case 'number':
      if (!NUMBER.test(text)) throw new CellError(`${JSON.stringify(clip(text))} is not a number`);
      return numberValue(text);
    case 'boolean':
      if (/^true$/i.test(text)) return true;
      if (/^false$/i.test(text)) return false;
      throw new CellError(`${JSON.stringify(clip(text))} is not true or false`);
    case 'date':
      if (!DATE.test(text) || Number.isNaN(Date.parse(text))) throw new CellError(`${JSON.stringify(clip(text))} is not a date (YYYY-MM-DD)`);
      return text;
    case 'datetime':
      if (!DATE_TIME.test(text) || Number.isNaN(Date.parse(text)))
        throw new CellError(`${JSON.stringify(clip(text))} is not an ISO 8601 date-time with an offset`);
      return text;
    case 'list':
      return text.split(separator);
  }
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
