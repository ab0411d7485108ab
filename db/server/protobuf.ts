/** The Protobuf wire format, as far as Hrana's messages need it: varints, zigzag sint64, doubles, bytes. */
import { ProtocolError } from './errors.ts';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** One field of a message, read whole: a varint's value, or the raw bytes of the other wire types. */
export interface Field {
  tag: number;
  wire: number;
  varint: bigint;
  bytes: Buffer;
}

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let shift = 0n, i = at; i < buf.length && shift < 70n; shift += 7n, i++) {
    const byte = buf[i]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [BigInt.asUintN(64, value), i + 1];
  }
  throw new ProtocolError('the Protobuf message has a truncated varint');
}

export function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  while (at < buf.length) {
    const [key, afterKey] = readVarint(buf, at);
    const tag = Number(key >> 3n);
    const wire = Number(key & 7n);
    at = afterKey;
    let field: Field;
    if (wire === VARINT) {
      const [value, next] = readVarint(buf, at);
      field = { tag, wire, varint: value, bytes: Buffer.alloc(0) };
      at = next;
    } else {
      let length: number;
      if (wire === FIXED64) length = 8;
      else if (wire === FIXED32) length = 4;
      else if (wire === LENGTH_DELIMITED) {
        const [value, next] = readVarint(buf, at);
        length = Number(value);
        at = next;
      } else throw new ProtocolError(`the Protobuf message uses unsupported wire type ${wire}`);
      if (at + length > buf.length) throw new ProtocolError('the Protobuf message is truncated');
      field = { tag, wire, varint: 0n, bytes: buf.subarray(at, at + length) };
      at += length;
    }
    yield field;
  }
}

function expect(field: Field, wire: number): Field {
  if (field.wire !== wire)
    throw new ProtocolError(`Protobuf field ${field.tag} has wire type ${field.wire}, expected ${wire}`);
  return field;
}

export const asInt32 = (f: Field) => Number(BigInt.asIntN(32, expect(f, VARINT).varint));
export const asUint32 = (f: Field) => Number(BigInt.asUintN(32, expect(f, VARINT).varint));
export const asBool = (f: Field) => expect(f, VARINT).varint !== 0n;
export const asSint64 = (f: Field) => {
  const v = expect(f, VARINT).varint;
  return (v >> 1n) ^ -(v & 1n);
};
export const asDouble = (f: Field) => expect(f, FIXED64).bytes.readDoubleLE(0);
/** A copy, so it outlives the request buffer. */
export const asBytes = (f: Field) => Buffer.from(expect(f, LENGTH_DELIMITED).bytes);
export const asString = (f: Field) => expect(f, LENGTH_DELIMITED).bytes.toString('utf8');
export const asMessage = (f: Field) => expect(f, LENGTH_DELIMITED).bytes;

/** Builds one message; nested messages are built by a callback on a fresh writer. */
export class ProtoWriter {
  readonly #chunks: Buffer[] = [];

  uint(tag: number, value: number | bigint): this {
    return this.#key(tag, VARINT).#varint(BigInt(value));
  }
  bool(tag: number, value: boolean): this {
    return this.uint(tag, value ? 1 : 0);
  }
  sint64(tag: number, value: bigint): this {
    return this.#key(tag, VARINT).#varint(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
  }
  double(tag: number, value: number): this {
    const buf = Buffer.alloc(8);
    buf.writeDoubleLE(value);
    this.#key(tag, FIXED64).#chunks.push(buf);
    return this;
  }
  bytes(tag: number, value: Uint8Array): this {
    this.#key(tag, LENGTH_DELIMITED).#varint(BigInt(value.byteLength)).#chunks.push(Buffer.from(value));
    return this;
  }
  string(tag: number, value: string): this {
    return this.bytes(tag, Buffer.from(value, 'utf8'));
  }
  message(tag: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(tag, inner.finish());
  }
  finish(): Buffer {
    return Buffer.concat(this.#chunks);
  }

  #key(tag: number, wire: number): this {
    return this.#varint(BigInt((tag << 3) | wire));
  }
  #varint(value: bigint): this {
    const out: number[] = [];
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v) byte |= 0x80;
      out.push(byte);
    } while (v);
    this.#chunks.push(Buffer.from(out));
    return this;
  }
}

/** A message framed by its length, as the cursor endpoint sends each item. */
export function lengthDelimited(message: Buffer): Buffer {
  return Buffer.concat([varintBytes(message.length), message]);
}

function varintBytes(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  do {
    let byte = v & 0x7f;
    v = Math.floor(v / 128);
    if (v) byte |= 0x80;
    out.push(byte);
  } while (v);
  return Buffer.from(out);
}
