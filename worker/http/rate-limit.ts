import { DomainError } from '../errors.ts';

/**
 * Checks a Workers rate-limit binding for one key. The binding's window is 60 s, so a refused caller is
 * told to retry after that window.
 */
export async function enforceRateLimit(
  limiter: RateLimit,
  key: string,
  what: string,
  retryAfterSeconds = 60,
): Promise<void> {
  const { success } = await limiter.limit({ key });
  if (!success) {
    throw new DomainError('rate_limited', 429, `Too many ${what}. Please wait a minute and try again.`, {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

/** The client address as Cloudflare reports it; loopback during local runs. */
export function clientIp(headers: { header(name: string): string | undefined }): string {
  return headers.header('cf-connecting-ip') ?? '127.0.0.1';
}
