/** The dev mailbox pages: a list of received emails and one email rendered (HTML in a sandboxed frame). */
import type { StoredEmail } from './store.ts';

const esc = (value: string) => value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const time = (at: number) => new Date(at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' });

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, Segoe UI, Roboto, sans-serif; color: #1f2937; background: #f8fafc; }
  body { margin: 0; } header { background: #1e3a8a; color: #fff; padding: 12px 20px; } header a { color: #fff; }
  main { max-width: 960px; margin: 0 auto; padding: 20px; }
  h1 { font-size: 1.25rem; margin: 0; } h2 { font-size: 1.1rem; }
  ul.mails { list-style: none; padding: 0; margin: 0; background: #fff; border: 1px solid #cbd5e1; border-radius: 8px; }
  ul.mails li { border-bottom: 1px solid #e2e8f0; } ul.mails li:last-child { border-bottom: 0; }
  ul.mails a { display: grid; grid-template-columns: 1fr auto; gap: 4px 16px; padding: 12px 16px; color: inherit; text-decoration: none; }
  ul.mails a:hover, ul.mails a:focus-visible { background: #eff6ff; outline: 2px solid #1d4ed8; outline-offset: -2px; }
  .subject { font-weight: 600; } .meta { color: #475569; font-size: .875rem; }
  iframe { width: 100%; height: 60vh; border: 1px solid #cbd5e1; border-radius: 8px; background: #fff; }
  pre { white-space: pre-wrap; word-break: break-word; background: #fff; border: 1px solid #cbd5e1; border-radius: 8px; padding: 16px; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; } dt { font-weight: 600; }
  button { font: inherit; padding: 6px 12px; border-radius: 6px; border: 1px solid #1d4ed8; background: #fff; color: #1d4ed8; cursor: pointer; }
`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>` +
    `<body><header><h1><a href="/">Slotcast dev mailbox</a></h1></header><main>${body}</main></body></html>`;
}

export function listPage(emails: StoredEmail[]): string {
  const items = emails.length === 0
    ? '<p>No emails yet. Everything Slotcast sends while running locally lands here.</p>'
    : `<ul class="mails">${emails.map((m) => `<li><a href="/messages/${esc(m.id)}"><span class="subject">${esc(m.subject || '(no subject)')}</span><span class="meta">${esc(time(m.receivedAt))}</span><span class="meta">To ${esc(m.to.join(', ') || m.envelope.to.join(', '))}</span></a></li>`).join('')}</ul>`;
  return page('Dev mailbox', `<h2>${emails.length} email${emails.length === 1 ? '' : 's'}</h2>${items}` +
    `<form method="post" action="/clear"><p><button type="submit">Delete all</button></p></form>`);
}

export function messagePage(m: StoredEmail): string {
  const attachments = m.attachments.length
    ? `<h2>Attachments</h2><ul>${m.attachments.map((a, i) => `<li><a href="/messages/${esc(m.id)}/attachments/${i}" download="${esc(a.filename)}">${esc(a.filename)}</a> (${esc(a.contentType)}, ${a.size} bytes)</li>`).join('')}</ul>`
    : '';
  return page(m.subject, `<p><a href="/">← All emails</a></p><h2>${esc(m.subject)}</h2>` +
    `<dl><dt>From</dt><dd>${esc(m.from)}</dd><dt>To</dt><dd>${esc(m.to.join(', '))}</dd><dt>Received</dt><dd>${esc(time(m.receivedAt))}</dd></dl>` +
    (m.html ? `<h2>HTML</h2><iframe title="The email as HTML" sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation" src="/messages/${esc(m.id)}/html"></iframe>` : '') +
    `<h2>Plain text</h2><pre>${esc(m.text)}</pre>${attachments}`);
}
