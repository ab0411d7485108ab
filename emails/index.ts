/** Every email Slotcast sends, by template name. Each renderer is a pure function of its payload. */
import type { RenderedEmail } from './layout.ts';
import { signInEmail, type SignInPayload } from './sign-in.ts';
import { shareLinkEmail, type ShareLinkPayload } from './share-link.ts';
import { bookingConfirmationEmail, type BookingConfirmationPayload } from './booking-confirmation.ts';
import { bookingNoticeEmail, type BookingNoticePayload } from './booking-notice.ts';
import { bookingCanceledEmail, type BookingCanceledPayload } from './booking-canceled.ts';
import { bookingMovedEmail, type BookingMovedPayload } from './booking-moved.ts';

export interface TemplatePayloads {
  'sign-in': SignInPayload;
  'share-link': ShareLinkPayload;
  'booking-confirmation': BookingConfirmationPayload;
  'booking-notice': BookingNoticePayload;
  'booking-canceled': BookingCanceledPayload;
  'booking-moved': BookingMovedPayload;
}

export type TemplateName = keyof TemplatePayloads;

const renderers: { [K in TemplateName]: (payload: TemplatePayloads[K]) => RenderedEmail } = {
  'sign-in': signInEmail,
  'share-link': shareLinkEmail,
  'booking-confirmation': bookingConfirmationEmail,
  'booking-notice': bookingNoticeEmail,
  'booking-canceled': bookingCanceledEmail,
  'booking-moved': bookingMovedEmail,
};

export function renderEmail<K extends TemplateName>(template: K, payload: TemplatePayloads[K]): RenderedEmail {
  const render = renderers[template];
  if (!render) throw new Error(`Unknown email template: ${String(template)}`);
  return render(payload);
}

export const isTemplateName = (name: string): name is TemplateName => name in renderers;
export type { RenderedEmail };
