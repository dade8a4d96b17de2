// A system administrator's service halls (PUT /api/v1/halls/{code}): the write is conditional
// on the version read (If-Match "h<version>"), so that two administrators editing the same hall
// cannot overwrite each other unseen (412). Reading halls is in bookings.ts (listHalls, getHall).
import { fill, request, type RequestBody, type Schemas } from './client';

export type HallInput = RequestBody<'/api/v1/halls/{code}', 'put'>;
export type HallWindow = Schemas['HallWindow'];
export type HallHours = Schemas['HallHours'];

// `version` is the version read (null for a new hall: no If-Match).
export const putHall = (code: string, body: HallInput, version: number | null) =>
  request<Schemas['ServiceHall']>(fill('/api/v1/halls/{code}', { code }), {
    method: 'PUT',
    body,
    // A new hall is created only if its code is free (If-None-Match: *): never over another.
    headers: version ? { 'If-Match': `"h${version}"` } : { 'If-None-Match': '*' },
  });
