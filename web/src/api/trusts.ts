// Peer platforms this one trusts for sign-in (/api/v1/trusts).
import { call, type Schemas } from './client';

export type Trust = Schemas['Trust'];

export const listTrusts = () => call('get', '/api/v1/trusts');
