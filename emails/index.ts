/** Every email Slotcast sends, by template name. Each renderer is a pure function of its payload. */
import type { RenderedEmail } from './layout.ts';
import { signInEmail, type SignInPayload } from './sign-in.ts';
import { shareLinkEmail, type ShareLinkPayload } from './share-link.ts';
import { bookingConfirmationEmail, type BookingConfirmationPayload } from './booking-confirmation.ts';
import { bookingNoticeEmail, type BookingNoticePayload } from './booking-notice.ts';
import { toOneLine } from './text-rules.ts';
import { sessionReminderEmail, type SessionReminderPayload } from './session-reminder.ts';
import { bookingCanceledEmail, type BookingCanceledPayload } from './booking-canceled.ts';
import { bookingMovedEmail, type BookingMovedPayload } from './booking-moved.ts';

export interface TemplatePayloads {
  'sign-in': SignInPayload;
  'share-link': ShareLinkPayload;
  'booking-confirmation': BookingConfirmationPayload;
  'booking-notice': BookingNoticePayload;
  'session-reminder': SessionReminderPayload;
  'booking-canceled': BookingCanceledPayload;
  'booking-moved': BookingMovedPayload;
}

export type TemplateName = keyof TemplatePayloads;

const renderers: { [K in TemplateName]: (payload: TemplatePayloads[K]) => RenderedEmail } = {
  'sign-in': signInEmail,
  'share-link': shareLinkEmail,
  'booking-confirmation': bookingConfirmationEmail,
  'booking-notice': bookingNoticeEmail,
  'session-reminder': sessionReminderEmail,
  'booking-canceled': bookingCanceledEmail,
  'booking-moved': bookingMovedEmail,
};

export function renderEmail<K extends TemplateName>(template: K, payload: TemplatePayloads[K]): RenderedEmail {
  const render = renderers[template];
  if (!render) throw new Error(`Unknown email template: ${String(template)}`);
  return render(oneLineFields(payload));
}

/**
 * Every text field of a payload is a name, a subject, a URL or a zone: one line each. Flattened here, a value
 * that reached the database around the API's rules can't start a new line in the text part, the subject or
 * the calendar file (HTML is escaped by the templates as well).
 */
function oneLineFields<T extends object>(payload: T): T {
  return Object.fromEntries(
    Object.entries(payload).map(([key, value]) => [key, typeof value === 'string' ? toOneLine(value) : value]),
  ) as T;
}

export const isTemplateName = (name: string): name is TemplateName => name in renderers;
export type { RenderedEmail };
