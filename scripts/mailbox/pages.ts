/** The dev mailbox pages: the list of received emails, and one email rendered (its HTML in a sandboxed frame). */
import type { StoredEmail } from './store.ts';

const esc = (value: string) =>
  value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const time = (at: number) =>
  `<time datetime="${new Date(at).toISOString()}">${esc(new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' }))}</time>`;
const recipients = (m: StoredEmail) => (m.to.length ? m.to : m.envelope.to).join(', ');

/** Pages of the mailbox itself: our own markup and styles only; frames only from here (the email's HTML). */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/**
 * An email's own HTML: never a script, nothing fetched from elsewhere (a tracking pixel stays dark), images only
 * from its own attachments. `sandbox` also applies when the route is opened directly rather than in the frame.
 */
export const EMAIL_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

/** The frame's sandbox: no scripts, no same-origin; links open in a new, normal tab. */
export const FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox';

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; line-height: 1.5; color: #1f2937; background: #f8fafc; }
  body { margin: 0; }
  header { background: #1e3a8a; color: #fff; padding: .75rem 1rem; display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; }
  header a { color: #fff; }
  header p { margin: 0; font-size: .875rem; color: #dbeafe; }
  main { max-width: 64rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.25rem; margin: 0; }
  h2 { font-size: 1.125rem; margin: 1.5rem 0 .5rem; }
  h2:first-child { margin-top: 0; }
  a { color: #1d4ed8; }
  a:focus-visible, button:focus-visible, summary:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
  .bar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; margin-bottom: 1rem; }
  .bar h2 { margin: 0; }
  .bar form { margin: 0; display: flex; gap: .75rem; align-items: center; }
  ul.mails { list-style: none; padding: 0; margin: 0; background: #fff; border: 1px solid #cbd5e1; border-radius: .5rem; }
  ul.mails li + li { border-top: 1px solid #e2e8f0; }
  ul.mails a { display: grid; grid-template-columns: 1fr auto; gap: .125rem 1rem; padding: .75rem 1rem; color: inherit; text-decoration: none; }
  ul.mails a:hover { background: #eff6ff; }
  ul.mails a:focus-visible { outline-offset: -3px; }
  .subject { font-weight: 600; overflow-wrap: anywhere; }
  .meta { color: #475569; font-size: .875rem; overflow-wrap: anywhere; }
  @media (max-width: 40rem) { ul.mails a { grid-template-columns: 1fr; } }
  iframe { display: block; width: 100%; height: 70vh; border: 1px solid #cbd5e1; border-radius: .5rem; background: #fff; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #fff; border: 1px solid #cbd5e1; border-radius: .5rem; padding: 1rem; margin: 0; font-size: .875rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
  dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
  details { margin-top: 1.5rem; } summary { cursor: pointer; font-weight: 600; }
  details dl { margin-top: .5rem; font-size: .875rem; }
  button { font: inherit; padding: .375rem .75rem; border-radius: .375rem; border: 1px solid #b91c1c; background: #fff; color: #b91c1c; cursor: pointer; }
  button:hover { background: #fef2f2; }
`;

function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${esc(title)} · Slotcast dev mailbox</title><link rel="icon" href="/favicon.svg"><style>${STYLE}</style></head>` +
    `<body><header><h1><a href="/">Slotcast dev mailbox</a></h1><p>Every email the app sends while running locally</p></header>` +
    `<main>${body}</main></body></html>`
  );
}

/** An envelope, so the mailbox tab is easy to tell from the app's. */
export const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="2" y="6" width="28" height="20" rx="3" fill="#1e3a8a"/><path d="M4 9l12 9 12-9" fill="none" stroke="#fff" stroke-width="2.5"/></svg>';

export function listPage(emails: StoredEmail[]): string {
  const count = `${emails.length} email${emails.length === 1 ? '' : 's'}`;
  const bar =
    `<div class="bar"><h2>${count}</h2><form method="post" action="/clear"><a href="/">Refresh</a>` +
    (emails.length ? '<button type="submit">Delete all</button>' : '') +
    '</form></div>';
  if (emails.length === 0)
    return page('Inbox', `${bar}<p>No emails yet. Sign in or book a slot in the app, then refresh this page.</p>`);
  const items = emails
    .map(
      (m) =>
        `<li><a href="/messages/${esc(m.id)}"><span class="subject">${esc(m.subject || '(no subject)')}</span>` +
        `<span class="meta">${time(m.receivedAt)}</span>` +
        `<span class="meta">To ${esc(recipients(m))}</span>` +
        (m.attachments.length
          ? `<span class="meta">${m.attachments.length} attachment${m.attachments.length === 1 ? '' : 's'}</span>`
          : '') +
        '</a></li>',
    )
    .join('');
  return page('Inbox', `${bar}<ul class="mails">${items}</ul>`);
}

export function messagePage(m: StoredEmail): string {
  const id = esc(m.id);
  const attachments = m.attachments.length
    ? `<h2>Attachments</h2><ul>${m.attachments.map((a, i) => `<li><a href="/messages/${id}/attachments/${i}">${esc(a.filename)}</a> <span class="meta">(${esc(a.contentType)}, ${a.size} bytes)</span></li>`).join('')}</ul>`
    : '';
  const headers = m.headers.map((h) => `<dt>${esc(h.key)}</dt><dd>${esc(h.value)}</dd>`).join('');
  return page(
    m.subject || '(no subject)',
    `<p><a href="/">← All emails</a></p><h2>${esc(m.subject || '(no subject)')}</h2>` +
      `<dl><dt>From</dt><dd>${esc(m.from || m.envelope.from)}</dd><dt>To</dt><dd>${esc(recipients(m))}</dd>` +
      (m.cc.length ? `<dt>Cc</dt><dd>${esc(m.cc.join(', '))}</dd>` : '') +
      `<dt>Received</dt><dd>${time(m.receivedAt)}</dd></dl>` +
      (m.html
        ? `<h2>HTML</h2><iframe title="The email as HTML" sandbox="${FRAME_SANDBOX}" referrerpolicy="no-referrer" src="/messages/${id}/html"></iframe>`
        : '') +
      `<h2>Plain text</h2>${m.text ? `<pre>${esc(m.text)}</pre>` : '<p>This email has no plain-text part.</p>'}` +
      attachments +
      `<details><summary>Headers and envelope</summary><dl><dt>MAIL FROM</dt><dd>${esc(m.envelope.from)}</dd><dt>RCPT TO</dt><dd>${esc(m.envelope.to.join(', '))}</dd>${headers}</dl></details>` +
      `<p><a href="/api/messages/${id}">This email as JSON</a></p>`,
  );
}

/** The email's HTML for the frame: links open in a new tab, inline images come from the email's attachments. */
export function emailHtml(m: StoredEmail): string {
  let html = m.html;
  m.attachments.forEach((a, i) => {
    const cid = a.contentId?.replace(/^<|>$/g, '');
    if (cid) html = html.split(`cid:${cid}`).join(`/messages/${encodeURIComponent(m.id)}/attachments/${i}`);
  });
  const base = '<base target="_blank">';
  return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => head + base) : base + html;
}
