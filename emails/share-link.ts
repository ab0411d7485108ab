import { escapeHtml } from './escape.ts';
import { button, layout, paragraph, type RenderedEmail } from './layout.ts';

export interface ShareLinkPayload {
  studentName: string;
  teacherName: string;
  link: string;
  expiresAt: number;
  timeZone: string;
}

export function shareLinkEmail(p: ShareLinkPayload): RenderedEmail {
  const subject = `${p.teacherName} invites you to book a session`;
  const until = new Date(p.expiresAt).toLocaleDateString('en-GB', {
    timeZone: p.timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  const intro = `Hi ${p.studentName}, ${p.teacherName} shared their calendar with you. Pick a time that suits you; no account needed.`;
  const note = `This link is personal to you and works until ${until}. Please don't forward it.`;
  return {
    subject,
    html: layout(
      subject,
      paragraph(intro) +
        button('See available times', p.link) +
        paragraph(note) +
        `<p style="margin:0 0 16px;word-break:break-all;font-size:13px">${escapeHtml(p.link)}</p>`,
    ),
    text: `${intro}\n\nSee available times: ${p.link}\n\n${note}\n`,
  };
}
