// The OpenID provider's signing keys: the published key set (/oauth2/jwks, public) and their
// rotation by a security administrator.
import { call, fill, request, type Schemas } from './client';

export type Jwk = Schemas['Jwk'];
export type JwkSet = Schemas['JwkSet'];

// Served as application/jwk-set+json, which the typed call() does not read: asked for
// without the cache, since a rotation changes it.
export const getJwks = () => request<JwkSet>(fill('/oauth2/jwks'), { headers: { 'Cache-Control': 'no-cache' } });
export const rotateSigningKeys = () => call('post', '/api/v1/oidc/keys/rotation');
