// Good/bad ratings of service (好差评, /api/v1/rating* ...): the levels and reasons, one's own
// ratings and their rectification, the one-time SMS link, and the staff's rectification inbox.
import { call, type Schemas } from './client';

export type Rating = Schemas['Rating'];
export type RatingLevels = Schemas['RatingReasons']['levels'];
export type RatingLinkCase = Schemas['RatingLinkCase'];
export type RatingLinkRated = Schemas['RatingLinkRated'];

export const ratingReasons = () => call('get', '/api/v1/rating-reasons');
export const rate = (body: Schemas['RatingInput']) => call('post', '/api/v1/ratings', { body });
export const listMyRatings = () => call('get', '/api/v1/me/ratings');
export const getRating = (number: string) => call('get', '/api/v1/ratings/{number}', { path: { number } });
export const confirmRating = (number: string, version: number) =>
  call('post', '/api/v1/ratings/{number}/confirmation', { path: { number }, body: { version } });
export const appealRating = (number: string, body: Schemas['RatingAppealInput']) =>
  call('post', '/api/v1/ratings/{number}/appeal', { path: { number }, body });

// The token goes in the body, never in a URL the server sees.
export const lookUpRatingLink = (token: string) => call('post', '/api/v1/rating-links/lookup', { body: { token } });
export const rateByLink = (body: Schemas['RatingLinkRating']) => call('post', '/api/v1/rating-links/rating', { body });

export const ratingInbox = (which: 'department' | 'supervisor') => call('get', '/api/v1/rating-inbox', { query: { which } });
export const rectifyRating = (number: string, body: Schemas['RatingRectificationInput']) =>
  call('post', '/api/v1/ratings/{number}/rectification', { path: { number }, body });
export const ruleOnRating = (number: string, body: Schemas['RatingRulingInput']) =>
  call('post', '/api/v1/ratings/{number}/ruling', { path: { number }, body });
