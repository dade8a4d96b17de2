// The working-day calendar of a year (/api/v1/calendar/{year}).
import { call, type RequestBody } from './client';

export const getCalendar = (year: number) => call('get', '/api/v1/calendar/{year}', { path: { year } });
export const publishCalendar = (year: number, body: RequestBody<'/api/v1/calendar/{year}', 'put'>) =>
  call('put', '/api/v1/calendar/{year}', { path: { year }, body });
