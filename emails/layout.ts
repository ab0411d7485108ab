import { escapeHtml, safeUrl } from './escape.ts';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: string }[];
}

/** A button that survives email clients: a table cell with a link, never a form or script. */
export const button = (label: string, url: string, variant: 'primary' | 'secondary' = 'primary') =>
  variant === 'primary'
    ? `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0"><tr><td style="background:#1d4ed8;border-radius:8px">` +
      `<a href="${escapeHtml(safeUrl(url))}" style="display:inline-block;padding:12px 20px;color:#ffffff;font-weight:600;text-decoration:none">${escapeHtml(label)}</a>` +
      `</td></tr></table>`
    : `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0"><tr><td style="border:1px solid #1d4ed8;border-radius:8px">` +
      `<a href="${escapeHtml(safeUrl(url))}" style="display:inline-block;padding:8px 16px;color:#1d4ed8;font-weight:600;text-decoration:none">${escapeHtml(label)}</a>` +
      `</td></tr></table>`;

/** A paragraph whose URL is a link (email clients don't all turn bare addresses into links). */
export const paragraphWithLink = (before: string, url: string, after = '') =>
  `<p style="margin:0 0 16px">${escapeHtml(before)}<a href="${escapeHtml(safeUrl(url))}" style="color:#1d4ed8">${escapeHtml(url)}</a>${escapeHtml(after)}</p>`;

export const paragraph = (text: string) => `<p style="margin:0 0 16px">${escapeHtml(text)}</p>`;

/** Wraps already-escaped body HTML in a minimal, readable layout. */
export function layout(title: string, bodyHtml: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>` +
    `<body style="margin:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2937;line-height:1.5">` +
    `<main style="max-width:560px;margin:0 auto;padding:32px 24px;background:#ffffff">` +
    `<p style="margin:0 0 24px;font-weight:700;color:#1d4ed8">Slotcast</p>${bodyHtml}` +
    `<p style="margin:32px 0 0;font-size:13px;color:#6b7280">You received this email because someone entered this address in Slotcast. If it wasn't you, you can ignore it.</p>` +
    `</main></body></html>`
  );
}
