/**
 * A local stand-in for Resend's `POST /emails`, for tests: Resend itself can't run here. It keeps the documented
 * contract the Worker relies on — Bearer auth (401 without a key, 403 with a wrong one), a JSON body with from,
 * to, subject, html or text and attachments whose content is base64 (422 otherwise), and `Idempotency-Key`:
 * within 24 hours the same key with the same body answers the same id and sends nothing more, the same key
 * with another body is a 409. It records every request and every email it "sent", and can be told to fail.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ResendAttachment {
  filename: string;
  content: string;
  content_type?: string;
}

export interface ResendEmail {
  id: string;
  idempotencyKey: string | null;
  from: string;
  to: string[];
  subject: string;
  html?: string;
  text?: string;
  attachments: ResendAttachment[];
}

export interface ResendRequest {
  at: number;
  idempotencyKey: string | null;
  to: string[];
  /** What the stand-in did with it. */
  answer: number | 'dropped';
}

type Fault = { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'drop-answer' };

const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export async function startResendStandIn(options: { apiKey: string }) {
  const emails: ResendEmail[] = [];
  const requests: ResendRequest[] = [];
  const faults: { fault: Fault; to?: string; left: number }[] = [];
  const byKey = new Map<string, { body: string; id: string; at: number }>();

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
    return status;
  };
  const error = (
    res: ServerResponse,
    status: number,
    name: string,
    message: string,
    headers?: Record<string, string>,
  ) => json(res, status, { statusCode: status, name, message }, headers);

  function handle(
    req: IncomingMessage,
    res: ServerResponse,
    raw: string,
    key: string | null,
    record: (answer: ResendRequest['answer'], to: string[]) => void,
  ): void {
    if (req.method !== 'POST' || req.url !== '/emails')
      return record(error(res, 404, 'not_found', 'The requested endpoint does not exist.'), []);
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer '))
      return record(error(res, 401, 'missing_api_key', 'Missing API key in the authorization header.'), []);
    if (auth.slice('Bearer '.length) !== options.apiKey)
      return record(error(res, 403, 'invalid_api_key', 'API key is invalid.'), []);

    let body: Partial<Omit<ResendEmail, 'to'>> & { to?: string | string[] };
    try {
      body = JSON.parse(raw);
    } catch {
      return record(error(res, 422, 'validation_error', 'The body is not valid JSON.'), []);
    }
    const to = typeof body.to === 'string' ? [body.to] : Array.isArray(body.to) ? body.to : [];
    if (key !== null && (key.length === 0 || key.length > 256))
      return record(error(res, 400, 'invalid_idempotency_key', 'The key must be between 1-256 chars.'), to);
    const invalid = !body.from
      ? 'The `from` field is required.'
      : to.length === 0 || to.length > 50
        ? 'The `to` field needs 1 to 50 addresses.'
        : !body.subject
          ? 'The `subject` field is required.'
          : !body.html && !body.text
            ? 'Either `html` or `text` is required.'
            : (body.attachments ?? []).some(
                  (a) => !a.filename || typeof a.content !== 'string' || !BASE64.test(a.content),
                )
              ? 'Each attachment needs a filename and base64 content.'
              : null;
    if (invalid) return record(error(res, 422, 'validation_error', invalid), to);

    const fault = faults.find((f) => f.left > 0 && (!f.to || to.includes(f.to)));
    if (fault?.fault.kind === 'status') {
      fault.left--;
      const { status, retryAfterSeconds } = fault.fault;
      const headers: Record<string, string> = retryAfterSeconds ? { 'retry-after': String(retryAfterSeconds) } : {};
      return record(
        status === 429
          ? error(
              res,
              429,
              'rate_limit_exceeded',
              'Too many requests. You can only make 2 requests per second.',
              headers,
            )
          : status === 422
            ? error(res, 422, 'validation_error', 'The `to` address is not a valid recipient.', headers)
            : error(res, status, 'internal_server_error', 'An unexpected error occurred.', headers),
        to,
      );
    }

    const previous = key ? byKey.get(key) : undefined;
    if (previous && Date.now() - previous.at < IDEMPOTENCY_WINDOW_MS) {
      if (previous.body !== raw)
        return record(
          error(res, 409, 'invalid_idempotent_request', 'Same idempotency key used with a different request payload.'),
          to,
        );
      return record(json(res, 200, { id: previous.id }), to);
    }
    const id = randomUUID();
    if (key) byKey.set(key, { body: raw, id, at: Date.now() });
    emails.push({
      id,
      idempotencyKey: key,
      from: body.from!,
      to,
      subject: body.subject!,
      html: body.html,
      text: body.text,
      attachments: body.attachments ?? [],
    });
    if (fault?.fault.kind === 'drop-answer') {
      // Accepted and sent, but the answer never reaches the caller: the case idempotency keys exist for.
      fault.left--;
      res.socket?.destroy();
      return record('dropped', to);
    }
    record(json(res, 200, { id }), to);
  }

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
      handle(
        req,
        res,
        raw,
        key,
        (answer, to) => void requests.push({ at: Date.now(), idempotencyKey: key, to, answer }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    /** Emails Resend would have delivered, oldest first. */
    emails,
    /** Every request that reached `/emails`, oldest first, with what it was answered. */
    requests,
    /** Answer the next `times` requests (to `to`, when given) with this status, sending nothing. */
    failNext(
      status: 422 | 429 | 500 | 502 | 503,
      times: number,
      only: { to?: string; retryAfterSeconds?: number } = {},
    ) {
      faults.push({
        fault: { kind: 'status', status, retryAfterSeconds: only.retryAfterSeconds },
        to: only.to,
        left: times,
      });
    },
    /** Send the next `times` emails (to `to`, when given) but cut the connection before answering. */
    dropAnswerNext(times: number, only: { to?: string } = {}) {
      faults.push({ fault: { kind: 'drop-answer' }, to: only.to, left: times });
    },
    emailsTo: (address: string) => emails.filter((e) => e.to.includes(address)),
    requestsTo: (address: string) => requests.filter((r) => r.to.includes(address)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type ResendStandIn = Awaited<ReturnType<typeof startResendStandIn>>;
