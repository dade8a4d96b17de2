// Consultations, complaints and suggestions (/api/v1/tickets ...), the staff's ticket inbox,
// hotline and hall registration, and the FAQ.
import { call, type Schemas } from './client';

export type Ticket = Schemas['Ticket'];
export type FaqEntry = Schemas['FaqEntry'];
export type TicketKind = Ticket['kind'];

export const askTicket = (body: Schemas['TicketInput']) => call('post', '/api/v1/tickets', { body });
export const listMyTickets = () => call('get', '/api/v1/me/tickets');
export const getTicket = (number: string) => call('get', '/api/v1/tickets/{number}', { path: { number } });
export const rateTicket = (number: string, body: Schemas['TicketRatingInput']) =>
  call('post', '/api/v1/tickets/{number}/rating', { path: { number }, body });
export const lookupTicket = (body: Schemas['TicketLookupInput']) => call('post', '/api/v1/ticket-lookups', { body });
export const rateTicketWithCode = (body: Schemas['TicketLookupRatingInput']) =>
  call('post', '/api/v1/ticket-lookups/rating', { body });

export const ticketInbox = (which: 'department' | 'escalated') => call('get', '/api/v1/ticket-inbox', { query: { which } });
export const answerTicket = (number: string, body: Schemas['TicketAnswerInput']) =>
  call('post', '/api/v1/tickets/{number}/answer', { path: { number }, body });
export const returnTicket = (number: string, body: Schemas['TicketReturnInput']) =>
  call('post', '/api/v1/tickets/{number}/return', { path: { number }, body });
export const registerTicket = (body: Schemas['TicketRegistration']) => call('post', '/api/v1/ticket-registrations', { body });

export const searchFaq = (q: string, region_code?: string) =>
  call('get', '/api/v1/faq', { query: { q, ...(region_code ? { region_code } : {}) } });
export const publishFaq = (body: Schemas['FaqInput']) => call('post', '/api/v1/faq', { body });
