// Indicators of supervision (/api/v1/indicators: the region's supervisors) and the public
// ratings summary (/api/v1/rating-summary: everyone, aggregated by department).
import { call, type QueryParams, type Schemas } from './client';

export type IndicatorReport = Schemas['IndicatorReport'];
export type IndicatorQuery = QueryParams<'/api/v1/indicators', 'get'>;
export type RatingSummary = Schemas['RatingSummary'];
export type DepartmentRatings = Schemas['DepartmentRatings'];

export const readIndicators = (query: IndicatorQuery) => call('get', '/api/v1/indicators', { query });
export const ratingSummary = (query: QueryParams<'/api/v1/rating-summary', 'get'>) => call('get', '/api/v1/rating-summary', { query });
