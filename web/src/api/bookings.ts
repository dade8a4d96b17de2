// Appointments at service halls: halls and their slots, bookings (/api/v1/bookings), the
// counter's queue (check-in, walk-ins, call next) and the public display.
import { call, request, type RequestBody, type Schemas } from './client';

export type Hall = Schemas['ServiceHall'];
export type Booking = Schemas['Booking'];
export type HallSlots = Schemas['HallSlots'];
export type QueueTicket = Schemas['QueueTicket'];
export type CalledTicket = Schemas['CalledTicket'];
export type HallQueue = Schemas['HallQueue'];

// Every hall, or (filtered by the server) those of a region and below, or with a window serving an item.
export const listHalls = (filter: { region?: string; item?: string } = {}) =>
  call('get', '/api/v1/halls', {
    query: { ...(filter.region ? { region: filter.region } : {}), ...(filter.item ? { item: filter.item } : {}) },
  });
export const getHall = (code: string) => call('get', '/api/v1/halls/{code}', { path: { code } });
export const hallSlots = (code: string, item: string) => call('get', '/api/v1/halls/{code}/slots', { path: { code }, query: { item } });
export const hallQueue = (code: string) => call('get', '/api/v1/halls/{code}/queue', { path: { code } });
export const book = (body: RequestBody<'/api/v1/bookings', 'post'>) => call('post', '/api/v1/bookings', { body });
export const myBookings = () => call('get', '/api/v1/me/bookings');
export const cancelBooking = (no: string) => call('post', '/api/v1/bookings/{no}/cancel', { path: { no } });
export const rescheduleBooking = (no: string, body: RequestBody<'/api/v1/bookings/{no}/reschedule', 'post'>) =>
  call('post', '/api/v1/bookings/{no}/reschedule', { path: { no }, body });
// The .ics as text, for a download the page starts.
export const bookingCalendar = (no: string) => request<string>(`/api/v1/bookings/${encodeURIComponent(no)}/calendar.ics`, { text: true });
export const checkIn = (code: string, booking_no: string) => call('post', '/api/v1/halls/{code}/check-ins', { path: { code }, body: { booking_no } });
export const kioskCheckIn = (code: string, booking_no: string) => call('post', '/api/v1/halls/{code}/kiosk/check-ins', { path: { code }, body: { booking_no } });
export const walkIn = (code: string, item_code: string) => call('post', '/api/v1/halls/{code}/walk-ins', { path: { code }, body: { item_code } });
export const callNext = (code: string, number: number) => call('post', '/api/v1/halls/{code}/windows/{number}/call-next', { path: { code, number } });
