/**
 * Paths that carry a share-link token are logged with the token replaced, so request logs can be kept and
 * shared without granting access to anyone's calendar.
 */
const TOKEN_PATHS: RegExp[] = [
  /^(\/api\/booking\/)([^/]+)/,
  /^(\/book\/[^/]+\/)([^/]+)/,
  /^(\/api\/live\/link\/)([^/]+)/,
];

export function maskPath(path: string): string {
  for (const pattern of TOKEN_PATHS) {
    const match = pattern.exec(path);
    if (match && match[2] !== 'confirm') return path.replace(pattern, '$1[token]');
  }
  return path;
}

/**
 * An error as one log line. Query errors from drizzle append the statement's parameters (emails, hashes);
 * those stay out of logs.
 */
export function describeForLog(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return (text.split('\nparams:')[0]! + cause.split('\nparams:')[0]!).replace(/\s+/g, ' ').slice(0, 500);
}
