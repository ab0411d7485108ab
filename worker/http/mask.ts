/**
 * Paths that carry a share-link token are logged with the token replaced, so request logs can be kept and
 * shared without granting access to anyone's calendar.
 */
const TOKEN_PATHS: RegExp[] = [/^(\/api\/booking\/)([^/]+)/, /^(\/book\/[^/]+\/)([^/]+)/, /^(\/api\/live\/link\/)([^/]+)/];

export function maskPath(path: string): string {
  for (const pattern of TOKEN_PATHS) {
    const match = pattern.exec(path);
    if (match && match[2] !== 'confirm') return path.replace(pattern, '$1[token]');
  }
  return path;
}
