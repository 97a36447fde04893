/**
 * engine/frozen-record.ts: a record shared by all the events of a connection is frozen all the way
 * down (so no code can change every event's `$` at once), and the WAL's metadata text
 * (operators/qos/wal/metadata-text.ts) reuses its text for the same frozen record without
 * comparing, while a record that can change is still compared each time.
 */
import { describe, expect, it } from 'vitest';
import { frozenRecord, isFrozenRecord } from '../../engine/frozen-record.ts';
import { MetadataText } from '../../operators/qos/wal/metadata-text.ts';
import type { RecordValue } from '../../queries/values/value.ts';

describe('frozenRecord', () => {
  it('freezes every level and is known as frozen; other records are not', () => {
    const record = frozenRecord({ tcp_server: { tls: false, peer: { host: '127.0.0.1', port: 4242 } } });
    expect(isFrozenRecord(record)).toBe(true);
    expect(() => {
      (record.tcp_server as { peer: { port: number } }).peer.port = 1;
    }).toThrow(TypeError);
    // An object frozen already is gone through too: what it holds is frozen as well.
    const inner = { port: 1 };
    frozenRecord({ outer: Object.freeze({ inner }) });
    expect(Object.isFrozen(inner)).toBe(true);
    expect(isFrozenRecord({ tcp_server: {} })).toBe(false);
    expect(isFrozenRecord(Object.freeze({ a: 1 }))).toBe(false);
    expect(isFrozenRecord(null)).toBe(false);
  });
});

describe('MetadataText', () => {
  it('gives the text of a frozen record again for the same record, and of a changed mutable one anew', () => {
    const text = new MetadataText();
    const shared = frozenRecord({ tcp_server: { peer: { host: 'a', port: 1 } } });
    expect(text.of(shared)).toBe('{"tcp_server":{"peer":{"host":"a","port":1}}}');
    expect(text.of(shared)).toBe('{"tcp_server":{"peer":{"host":"a","port":1}}}');
    const other = frozenRecord({ tcp_server: { peer: { host: 'b', port: 2 } } });
    expect(text.of(other)).toBe('{"tcp_server":{"peer":{"host":"b","port":2}}}');
    const mutable: RecordValue = { tcp_server: { peer: { host: 'b', port: 2 } } };
    expect(text.of(mutable)).toBe('{"tcp_server":{"peer":{"host":"b","port":2}}}');
    ((mutable.tcp_server as RecordValue).peer as RecordValue).port = 3;
    expect(text.of(mutable)).toBe('{"tcp_server":{"peer":{"host":"b","port":3}}}');
    expect(text.of({})).toBe('');
    expect(text.of(shared)).toBe('{"tcp_server":{"peer":{"host":"a","port":1}}}');
  });
});
