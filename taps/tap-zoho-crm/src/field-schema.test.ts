import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { checkGolden } from '@observes/testkit';
import { RecordValidator } from '@observes/protocol';
import { exportableFields, fieldSchema, moduleSchema, valueKind } from './field-schema.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

describe('field schema: Zoho fields metadata to JSON Schema', () => {
  it("maps the documentation's Leads fields (golden), leaving out and listing what a bulk read cannot export", () => {
    const metadata = JSON.parse(readFileSync(fixture('zoho-docs-leads-fields.json'), 'utf8'));
    const { fields, unsupported } = exportableFields(metadata);
    const schema = moduleSchema('Leads', fields);
    expect(() => new RecordValidator().compile(schema)).to.not.throw();
    checkGolden(
      fixture('golden/leads-schema.json'),
      JSON.stringify({ unsupported: unsupported.map((f) => `${f.api_name} (${f.data_type})`), schema }, null, 2) + '\n',
    );
  });

  it('types lookups as ids, formulas by their return type, unknown types as text', () => {
    expect(valueKind({ api_name: 'Owner', data_type: 'ownerlookup', json_type: 'jsonobject' })).to.equal('string');
    expect(valueKind({ api_name: 'Account_Name', data_type: 'lookup', json_type: 'jsonobject', lookup_module: 'Accounts' })).to.equal('string');
    expect(valueKind({ api_name: 'Score', data_type: 'formula', json_type: 'double', return_type: 'double' })).to.equal('number');
    expect(valueKind({ api_name: 'Due', data_type: 'formula', json_type: 'string', return_type: 'date' })).to.equal('date');
    expect(valueKind({ api_name: 'Count', data_type: 'rollup_summary', json_type: 'double', return_type: 'integer' })).to.equal('integer');
    expect(valueKind({ api_name: 'Big', data_type: 'bigint', json_type: 'string' })).to.equal('integer');
    expect(valueKind({ api_name: 'Tags', data_type: 'multiselectpicklist', json_type: 'jsonarray' })).to.equal('list');
    expect(valueKind({ api_name: 'X', data_type: 'a_type_zoho_adds_later', json_type: 'jsonobject' })).to.equal('string');
    expect(valueKind({ api_name: 'Y', data_type: 'a_type_zoho_adds_later', json_type: 'double' })).to.equal('number');
    expect(fieldSchema({ api_name: 'When', data_type: 'datetime' })).to.include({ format: 'date-time' });
  });

  it('keeps id out of the fields (it is the key, always first) and skips entries without a name or type', () => {
    const { fields } = exportableFields({
      fields: [{ api_name: 'id', data_type: 'bigint' }, { api_name: 'A', data_type: 'text' }, { data_type: 'text' }, { api_name: 'B' }],
    });
    expect(fields.map((f) => f.api_name)).to.deep.equal(['A']);
    expect(Object.keys(moduleSchema('M', fields).properties!)).to.deep.equal(['id', 'A']);
    expect(exportableFields(undefined).fields).to.deep.equal([]);
  });
});
