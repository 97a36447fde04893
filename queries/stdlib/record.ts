/** `std::record` */
import { isRecord, type RecordValue, type Value } from '../values/value.ts';
import { copyRecord, setKey } from '../values/ops.ts';
import { mergeValues } from '../values/merge.ts';
import { badType, expectArray, expectString, pure, type StdModule } from './function.ts';

function expectRecord(v: Value): RecordValue {
  if (!isRecord(v)) badType();
  return v;
}

export const recordModule: StdModule = {
  contains: pure(2, ([r, k]) => Object.hasOwn(expectRecord(r), expectString(k))),
  keys: pure(1, ([r]) => Object.keys(expectRecord(r))),
  values: pure(1, ([r]) => Object.values(expectRecord(r))),
  len: pure(1, ([r]) => Object.keys(expectRecord(r)).length),
  is_empty: pure(1, ([r]) => Object.keys(expectRecord(r)).length === 0),
  to_array: pure(1, ([r]) => Object.entries(expectRecord(r)).map(([k, v]) => [k, v])),
  from_array: pure(1, ([a]) => {
    const record: RecordValue = {};
    for (const entry of expectArray(a)) {
      if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string') badType();
      setKey(record, entry[0] as string, entry[1]);
    }
    return record;
  }),
  select: pure(2, ([r, keys]) => {
    const source = expectRecord(r);
    const record: RecordValue = {};
    for (const key of expectArray(keys)) {
      if (typeof key === 'string' && Object.hasOwn(source, key)) setKey(record, key, source[key]);
    }
    return record;
  }),
  merge: pure(2, ([a, b]) => mergeValues(expectRecord(a), expectRecord(b))),
  rename: pure(3, ([r, from, to]) => {
    const record = copyRecord(expectRecord(r));
    const fromKey = expectString(from);
    const toKey = expectString(to);
    if (Object.hasOwn(record, fromKey)) {
      const value = record[fromKey];
      delete record[fromKey];
      setKey(record, toKey, value);
    }
    return record;
  }),
};
