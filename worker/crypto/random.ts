import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

/** 160 bits from the CSPRNG, base32: for session ids, secrets and one-time links. */
export function randomToken(bytes = 20): string {
  return encodeBase32LowerCaseNoPadding(crypto.getRandomValues(new Uint8Array(bytes)));
}

export const newId = () => crypto.randomUUID();
