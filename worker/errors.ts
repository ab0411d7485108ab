/** The one error type of the API: thrown anywhere, turned into `{ error: { code, message } }` in app.onError. */
export class DomainError extends Error {
  readonly code: string;
  readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 | 503;
  readonly details?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(
    code: string,
    status: DomainError['status'],
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export const notFound = (what = 'Not found') => new DomainError('not_found', 404, what);
