import { expect } from 'chai';
import { applySelection, buildCatalog, isStreamSelected, metadataAt, pickFields, type StreamDescription } from './index.js';
import type { CatalogEntry } from './catalog.js';

const streams: StreamDescription[] = [
  {
    name: 'issues',
    schema: { type: 'object', properties: { id: { type: 'integer' }, title: { type: 'string' }, updated_at: { type: 'string' } } },
    keyProperties: ['id'],
    replicationKey: 'updated_at',
  },
  { name: 'members', schema: { type: 'object', properties: { id: { type: 'integer' } } }, keyProperties: ['id'], selectedByDefault: false },
];

describe('catalogs', () => {
  it('builds a Singer catalog with stream and field metadata', () => {
    const [issues, members] = buildCatalog(streams).streams;
    expect(issues).to.deep.include({
      tap_stream_id: 'issues',
      stream: 'issues',
      key_properties: ['id'],
      replication_key: 'updated_at',
      replication_method: 'INCREMENTAL',
    });
    expect(metadataAt(issues, [])).to.deep.equal({
      inclusion: 'available',
      'selected-by-default': true,
      'table-key-properties': ['id'],
      'forced-replication-method': 'INCREMENTAL',
      'valid-replication-keys': ['updated_at'],
      'replication-key': 'updated_at',
      'replication-method': 'INCREMENTAL',
    });
    expect(metadataAt(issues, ['properties', 'id']).inclusion).to.equal('automatic');
    expect(metadataAt(issues, ['properties', 'updated_at']).inclusion).to.equal('automatic');
    expect(metadataAt(issues, ['properties', 'title']).inclusion).to.equal('available');
    expect(metadataAt(members, [])['forced-replication-method']).to.equal('FULL_TABLE');
  });

  it('selects by `selected`, else `selected-by-default`', () => {
    const catalog = buildCatalog(streams);
    expect(catalog.streams.map(isStreamSelected)).to.deep.equal([true, false]);
    metadataAt(catalog.streams[0], []).selected = false;
    metadataAt(catalog.streams[1], []).selected = true;
    expect([...applySelection(catalog).keys()]).to.deep.equal(['members']);
  });

  it('drops deselected fields but never automatic ones', () => {
    const catalog = buildCatalog(streams);
    const entry = catalog.streams[0];
    metadataAt(entry, ['properties', 'title']).selected = false;
    metadataAt(entry, ['properties', 'id']).selected = false;
    const selection = applySelection(catalog).get('issues')!;
    expect(Object.keys(selection.schema.properties!)).to.deep.equal(['id', 'updated_at']);
    expect(pickFields({ id: 1, title: 't', updated_at: 'u', extra: 1 }, selection.fields)).to.deep.equal({ id: 1, updated_at: 'u' });
    expect(selection).to.include({ replicationMethod: 'INCREMENTAL', replicationKey: 'updated_at' });
  });

  it('reads catalogs written by other tools (legacy `selected` on the entry, missing metadata)', () => {
    const entry = { tap_stream_id: 'x', stream: 'x', schema: { type: 'object' }, selected: true } as unknown as CatalogEntry;
    expect(isStreamSelected(entry)).to.equal(true);
    expect(applySelection({ streams: [entry] }).get('x')!.fields).to.equal(undefined);
  });
});
