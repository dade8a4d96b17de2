// Events to department systems, the system administrator's view: every subscription, the
// webhook outbox (dead letters by default on the page) and replaying a dead delivery.
import { call, type Schemas } from './client';

export type WebhookSubscription = Schemas['WebhookSubscription'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryStatus = WebhookDelivery['status'];
export const listWebhookDeliveries = (status: WebhookDeliveryStatus | '', limit = 100) =>
  call('get', '/api/v1/webhook-deliveries', { query: { ...(status ? { status } : {}), limit } });
export const replayWebhookDelivery = (id: number) =>
  call('post', '/api/v1/webhook-deliveries/{id}/replay', { path: { id } });
export const listWebhookSubscriptions = () => call('get', '/api/v1/webhook-subscriptions');
export const disableWebhookSubscription = (id: string) =>
  call('post', '/api/v1/webhook-subscriptions/{id}/disable', { path: { id } });
