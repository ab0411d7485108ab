/**
 * The one layout every Slotcast email is written in. A template describes its email as a list of blocks (a
 * paragraph, the session's title, a few facts, a main action, secondary links…), and this module renders that
 * one description twice: as HTML for mail clients, and as a plain-text part that reads well on its own. The
 * two can't drift apart, and every email looks and reads the same.
 *
 * HTML rules, for the clients people use:
 * - Inline styles carry the light look (many clients drop `<style>`); a `<style>` block adds the dark look for
 *   clients that honour `prefers-color-scheme` (Apple Mail, iOS, Outlook for Mac, Thunderbird), and the
 *   `color-scheme` meta tells the others that both are fine, so they don't invert a light email badly.
 * - Buttons are table cells with a link: no forms, no scripts, no images (nothing blocked by default).
 * - One column at most 560 px wide that shrinks to the phone's width; long addresses break anywhere.
 * Every text passes through `escapeHtml`, every URL through `safeUrl`: a name can't become markup or a link.
 */
import { escapeHtml, safeUrl } from './escape.ts';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  attachments?: { filename: string; contentType: string; content: string }[];
}

export type Block =
  /** A paragraph. */
  | { kind: 'text'; text: string }
  /** The session's name, large; struck through when it is cancelled. */
  | { kind: 'title'; text: string; struck?: boolean }
  /** Short labelled lines: "When: …", "Was: …". A struck fact is a time that no longer holds. */
  | { kind: 'facts'; rows: { label: string; value: string; struck?: boolean }[] }
  /** The email's main action: a button, and "Label: url" in the text part. */
  | { kind: 'action'; label: string; url: string; textLabel?: string }
  /** Lesser actions (calendar links): small outlined buttons. */
  | { kind: 'links'; items: { label: string; url: string }[] }
  /** A sentence that ends in a visible address. */
  | { kind: 'link'; text: string; url: string }
  /** Someone's own words, quoted and attributed. */
  | { kind: 'quote'; text: string; by: string }
  /** The address behind the main button, for clients where the button doesn't work. */
  | { kind: 'fallback'; url: string };

export interface EmailContent {
  subject: string;
  /** The line a mail client shows beside the subject in the inbox; the first paragraph when not given. */
  preview?: string;
  blocks: Block[];
  /** Why the reader got this email, in the footer of both parts. */
  reason: string;
  attachments?: RenderedEmail['attachments'];
}

// Light colours on inline styles; their dark counterparts in DARK_STYLE below. Every pair is at least 4.5:1.
const INK = '#1f2937';
const MUTED = '#4b5563';
const ACCENT = '#1d4ed8';
const PAGE = '#f3f4f6';
const CARD = '#ffffff';

const DARK_STYLE =
  '@media (prefers-color-scheme: dark){' +
  '.sc-page{background:#0f172a !important}' +
  '.sc-card{background:#1e293b !important;color:#f1f5f9 !important}' +
  '.sc-muted{color:#cbd5e1 !important}' +
  '.sc-accent,.sc-card a{color:#93c5fd !important}' +
  '.sc-card a.sc-button{background:#93c5fd !important;color:#0f172a !important}' +
  '.sc-card a.sc-outline{border-color:#93c5fd !important}' +
  '.sc-quote{border-color:#475569 !important}' +
  '}';

const P = 'margin:0 0 16px';
const href = (url: string) => escapeHtml(safeUrl(url));

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'text':
      return `<p style="${P}">${escapeHtml(block.text)}</p>`;
    case 'title': {
      const text = escapeHtml(block.text);
      return `<h1 style="margin:0 0 8px;font-size:20px;line-height:1.3">${block.struck ? `<s>${text}</s>` : text}</h1>`;
    }
    case 'facts':
      return (
        `<p style="${P}">` +
        block.rows
          .map((row) => {
            const value = escapeHtml(row.value);
            const label = `<span class="sc-muted" style="color:${MUTED}">${escapeHtml(row.label)}:</span> `;
            return row.struck
              ? `<span class="sc-muted" style="color:${MUTED}">${label}<s>${value}</s></span>`
              : label + value;
          })
          .join('<br>') +
        '</p>'
      );
    case 'action':
      return (
        `<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px"><tr>` +
        `<td style="background:${ACCENT};border-radius:8px">` +
        `<a class="sc-button" href="${href(block.url)}" style="display:inline-block;padding:12px 20px;background:${ACCENT};border-radius:8px;color:#ffffff;font-weight:600;text-decoration:none">${escapeHtml(block.label)}</a>` +
        `</td></tr></table>`
      );
    case 'links':
      return (
        `<p style="${P}">` +
        block.items
          .map(
            (item) =>
              `<a class="sc-outline" href="${href(item.url)}" style="display:inline-block;margin:0 8px 8px 0;padding:8px 14px;border:1px solid ${ACCENT};border-radius:8px;color:${ACCENT};font-weight:600;text-decoration:none">${escapeHtml(item.label)}</a>`,
          )
          .join('') +
        '</p>'
      );
    case 'link':
      return `<p style="${P}">${escapeHtml(block.text)} <a href="${href(block.url)}" style="color:${ACCENT};word-break:break-all">${escapeHtml(block.url)}</a></p>`;
    case 'quote':
      return (
        `<blockquote class="sc-quote" style="margin:0 0 16px;padding:4px 0 4px 12px;border-left:3px solid #d1d5db">` +
        `<p style="margin:0">${escapeHtml(block.text)}</p>` +
        `<p class="sc-muted" style="margin:4px 0 0;color:${MUTED};font-size:14px">${escapeHtml(block.by)}</p></blockquote>`
      );
    case 'fallback':
      return (
        `<p class="sc-muted" style="margin:0 0 4px;color:${MUTED};font-size:14px">If the button doesn't work, copy this address into your browser:</p>` +
        `<p style="margin:0 0 16px;font-size:14px;word-break:break-all"><a href="${href(block.url)}" style="color:${ACCENT}">${escapeHtml(block.url)}</a></p>`
      );
  }
}

/** The plain-text part of one block: short lines, addresses on their own, nothing that needs HTML to make sense. */
function blockText(block: Block): string {
  switch (block.kind) {
    case 'text':
      return block.text;
    case 'title':
      return block.struck ? `${block.text} (canceled)` : block.text;
    case 'facts':
      return block.rows.map((row) => `${row.label}: ${row.value}`).join('\n');
    case 'action':
      return `${block.textLabel ?? block.label}: ${block.url}`;
    case 'links':
      return block.items.map((item) => `${item.label}: ${item.url}`).join('\n');
    case 'link':
      return `${block.text} ${block.url}`;
    case 'quote':
      return `"${block.text}"\n  ${block.by}`;
    case 'fallback':
      // The text part already gives the address beside its action.
      return '';
  }
}

/** Renders an email's content in the Slotcast layout: the HTML part and the plain-text part. */
export function composeEmail(content: EmailContent): RenderedEmail {
  const firstText = content.blocks.find((b) => b.kind === 'text');
  const preview = content.preview ?? (firstText?.kind === 'text' ? firstText.text : content.subject);
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark">` +
    `<title>${escapeHtml(content.subject)}</title><style>:root{color-scheme:light dark}${DARK_STYLE}</style></head>` +
    `<body class="sc-page" style="margin:0;padding:0;background:${PAGE};font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:${INK};line-height:1.5;font-size:16px">` +
    // The inbox preview line: hidden in the message itself.
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0">${escapeHtml(preview)}</div>` +
    `<main style="display:block;padding:16px 8px">` +
    `<div class="sc-card" style="max-width:560px;margin:0 auto;padding:24px 20px;background:${CARD};border-radius:12px;color:${INK}">` +
    `<p class="sc-accent" style="margin:0 0 20px;font-weight:700;color:${ACCENT}">Slotcast</p>` +
    content.blocks.map(blockHtml).join('') +
    `<p class="sc-muted" style="margin:24px 0 0;font-size:14px;color:${MUTED}">${escapeHtml(content.reason)}</p>` +
    `</div></main></body></html>`;
  const text =
    content.blocks
      .map(blockText)
      .filter((part) => part !== '')
      .join('\n\n') + `\n\n-- \nSlotcast\n${content.reason}\n`;
  return { subject: content.subject, html, text, ...(content.attachments ? { attachments: content.attachments } : {}) };
}
