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

/** Anything shaped like an email address: a person's address is theirs, not the log's. */
const EMAIL_ADDRESS = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[a-z]{2,}/gi;

export function maskEmails(text: string): string {
  return text.replace(EMAIL_ADDRESS, '[email]');
}

/**
 * An error as one log line. Query errors from drizzle append the statement's parameters (emails, hashes);
 * those stay out of logs, and so does any address the message itself quotes (an SMTP reply, say).
 */
export function describeForLog(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return maskEmails(text.split('\nparams:')[0]! + cause.split('\nparams:')[0]!)
    .replace(/\s+/g, ' ')
    .slice(0, 500);
}
