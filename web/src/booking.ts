// What the booking pages share: the sentence for a refused booking (the server's 409 and
// 403 say why in English; the person reads it in their language), names of items, and the
// .ics download.
import { ApiError } from './api/client';
import { bookingCalendar } from './api/bookings';
import { getItem } from './api/catalog';
import { i18n } from './i18n';
import { localized } from './i18n';

// A page-written sentence for the refusals a person can act on, or the error itself (for
// ProblemAlert) when it is another.
export function bookingRefusal(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  const t = i18n.global.t;
  const detail = e.problem.detail ?? '';
  if (e.status === 409 && detail.includes('is full')) return t('booking.refused.full');
  if (e.status === 409 && detail.includes('already have a booking')) return t('booking.refused.sameDay');
  if (e.status === 409 && detail.includes('cancel one first')) return t('booking.refused.tooMany');
  if (e.status === 409 && detail.includes('already hold')) return t('booking.refused.held');
  if (e.status === 409 && detail.includes('already started')) return t('booking.refused.started');
  const paused = /book again from (\d{4}-\d{2}-\d{2})/.exec(detail);
  if (e.status === 403 && paused) return t('booking.refused.paused', { date: paused[1] });
  if (e.status === 403 && detail.includes('verify your identity')) return t('booking.refused.verify');
  return e;
}

// Item names by code, as the catalog has them (looked up once per page).
const names = new Map<string, { name: string; name_en: string }>();
export async function itemNames(codes: string[]): Promise<void> {
  await Promise.all(
    codes
      .filter((c) => !names.has(c))
      .map(async (c) => {
        try {
          const view = await getItem(c);
          names.set(c, { name: view.item.name, name_en: view.item.name_en ?? '' });
        } catch {
          names.set(c, { name: c, name_en: c });
        }
      }),
  );
}
export function itemName(code: string): string {
  const n = names.get(code);
  return n ? localized(n.name, n.name_en) : code;
}

// Saves the booking's calendar file (RFC 5545) under its number.
export async function downloadCalendar(no: string): Promise<void> {
  const text = await bookingCalendar(no);
  const url = URL.createObjectURL(new Blob([text], { type: 'text/calendar' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = no + '.ics';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
