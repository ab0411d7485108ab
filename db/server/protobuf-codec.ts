/**
 * Hrana 3's Protobuf encoding (`/v3-protobuf/…`). `@libsql/hrana-client` uses it when opened with protocol
 * version 3; `@libsql/client` itself stays on JSON v2.
 */
import type { Codec } from './protocol.ts';
import { lengthDelimited } from './protobuf.ts';
import { decodeCursorRequestBody, decodePipelineRequestBody } from './protobuf-decode.ts';
import {
  encodeCursorEntry,
  encodeCursorResponseBody,
  encodeError,
  encodePipelineResponseBody,
} from './protobuf-encode.ts';

export const protobufCodec: Codec = {
  contentType: 'application/x-protobuf',
  decodePipelineRequest: decodePipelineRequestBody,
  encodePipelineResponse: encodePipelineResponseBody,
  decodeCursorRequest: decodeCursorRequestBody,
  /** Each item framed by its length, the head first. */
  encodeCursorResponse: (head, entries) =>
    Buffer.concat(
      [encodeCursorResponseBody(head.baton, head.baseUrl), ...entries.map(encodeCursorEntry)].map(lengthDelimited),
    ),
  encodeError,
};
