/** Hrana JSON values ↔ SQLite values. Integers travel as decimal strings so 64-bit values stay exact. */
import { ProtocolError } from './errors.ts';
import type { SqlValue } from './protocol.ts';

export type JsonValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** A 64-bit signed integer from its decimal text, or a protocol error. */
export function parseInteger(text: unknown): bigint {
  if (typeof text !== 'string' || !/^-?\d{1,19}$/.test(text))
    throw new ProtocolError('an integer value must be a decimal string');
  const value = BigInt(text);
  if (value < I64_MIN || value > I64_MAX) throw new ProtocolError('an integer value must fit in 64 bits');
  return value;
}

export function decodeJsonValue(raw: unknown): SqlValue {
  const value = raw as Partial<Record<'type' | 'value' | 'base64', unknown>> | null;
  switch (value?.type) {
    case 'null':
      return null;
    case 'integer':
      return parseInteger(value.value);
    case 'float':
      if (typeof value.value !== 'number') throw new ProtocolError('a float value must be a number');
      return value.value;
    case 'text':
      if (typeof value.value !== 'string') throw new ProtocolError('a text value must be a string');
      return value.value;
    case 'blob':
      if (typeof value.base64 !== 'string') throw new ProtocolError('a blob value needs base64');
      return Buffer.from(value.base64, 'base64');
    default:
      throw new ProtocolError('a value needs a type of null, integer, float, text or blob');
  }
}

/** With safe integers on, the driver returns INTEGER as bigint, so a JS number is always a REAL. */
export function encodeJsonValue(value: SqlValue): JsonValue {
  if (value === null) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  return { type: 'blob', base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
}
