import { composeEmail, type RenderedEmail } from './layout.ts';

export interface ShareLinkPayload {
  studentName: string;
  teacherName: string;
  link: string;
  expiresAt: number;
  timeZone: string;
}

export function shareLinkEmail(p: ShareLinkPayload): RenderedEmail {
  const until = new Date(p.expiresAt).toLocaleDateString('en-GB', {
    timeZone: p.timeZone,
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  return composeEmail({
    subject: `${p.teacherName} invites you to book a session`,
    blocks: [
      { kind: 'title', text: `Book a session with ${p.teacherName}` },
      {
        kind: 'text',
        text: `Hi ${p.studentName}, ${p.teacherName} shared their calendar with you. Pick a time that suits you; no account needed.`,
      },
      { kind: 'action', label: 'See available times', url: p.link },
      { kind: 'text', text: `This link is personal to you and works until ${until}. Please don't forward it.` },
      { kind: 'fallback', url: p.link },
    ],
    reason: `You received this email because ${p.teacherName} added you as a student on Slotcast.`,
  });
}
