// How a person hears from the platform (/api/v1/me/notification-preferences): language,
// a verified e-mail address, SMS, and the channels per topic.
import { call, type Schemas } from './client';

export type NotificationPreferences = Schemas['NotificationPreferences'];
export type Channel = 'portal' | 'email' | 'sms';

export const getMyNotificationPreferences = () => call('get', '/api/v1/me/notification-preferences');
export const putMyNotificationPreferences = (body: Schemas['NotificationPreferencesChange']) =>
  call('put', '/api/v1/me/notification-preferences', { body });
export const requestEmailCode = (email: string) =>
  call('post', '/api/v1/me/notification-preferences/email', { body: { email } });
export const verifyEmail = (code: string) =>
  call('post', '/api/v1/me/notification-preferences/email/verification', { body: { code } });
export const removeEmail = () => call('delete', '/api/v1/me/notification-preferences/email');

// The system administrator's view of e-mail and SMS deliveries: those in a status (dead ones
// by default on the page) and sending a dead one again (requeue).
export type Delivery = Schemas['NotificationDelivery'];
export type DeliveryStatus = Delivery['status'];
export const listDeliveries = (status: DeliveryStatus | '', limit = 100) =>
  call('get', '/api/v1/notification-deliveries', { query: { ...(status ? { status } : {}), limit } });
export const requeueDelivery = (id: number) =>
  call('post', '/api/v1/notification-deliveries/{id}/requeue', { path: { id } });
