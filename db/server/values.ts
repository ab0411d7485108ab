import type { HranaValue } from './protocol.ts';

/** Hrana value → what the libsql driver binds. Integers stay exact as bigint. */
export function decodeValue(value: HranaValue): unknown {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(value.value);
    case 'float':
      return Number(value.value);
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
    default:
      throw new ProtocolError(`unknown value type ${(value as { type: string }).type}`);
  }
}

/** A driver value (read with safe integers on) → Hrana value. */
export function encodeValue(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  // With safe integers on, the driver returns INTEGER as bigint, so a number is always a REAL.
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new ProtocolError(`cannot encode a ${typeof value}`);
}

/** A malformed request: answered with HTTP 400, not as a SQL error. */
export class ProtocolError extends Error {}
