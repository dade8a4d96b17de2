// Drives our OpenID Connect provider as an independent relying party would, with the npm
// `openid-client` library (v6, functional API) for the protocol and `jose` for every
// token's signature and claims (tests/oidc_flow_test.cc runs it).
//
//   node oidc-flow.mjs '<json config>'
//
// Config:
//   { "issuer": "http://127.0.0.1:PORT",
//     "user": {"username", "password"},
//     "confidential": {"client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri",
//                      "id_token_signed_response_alg"?, "scope"?},
//     "public": {"client_id", "redirect_uri", "id_token_signed_response_alg"?, "scope"?},
//     "machine": {"client_id", "client_secret", "scope"} }
// The optional id_token_signed_response_alg is the algorithm the client was registered with:
// when given, openid-client and jose accept only that one; otherwise ES256 or EdDSA. The
// interactive scope defaults to "openid profile".
//
// Prints ONE JSON object on stdout: {"ok", "steps": {name: boolean}, "details": {name: {...}}}
// (details hold decoded claims and error responses, never raw tokens or secrets) and exits
// 0 when every step passed, 1 otherwise, 2 for an unusable config. A step whose
// prerequisite failed is reported as failed with "skipped". Only the issuer's origin is
// contacted; the redirect URIs are never fetched, only read from Location headers.
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

const HTTP_TIMEOUT_MS = 10_000;
const DEFAULT_SCOPE = 'openid profile';

const result = { ok: false, steps: {}, details: {} };

// Writes to a pipe or file are synchronous on Linux, so exiting right away loses nothing.
function finish(code) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.exit(code);
}

// Nothing here should take long; a hung server must not hang the test.
setTimeout(() => {
  result.error = 'oidc-flow: gave up after 120 s';
  finish(1);
}, 120_000).unref();

let cfg;
try {
  cfg = JSON.parse(process.argv[2] ?? '');
  for (const path of [
    'issuer', 'user.username', 'user.password', 'confidential.client_id',
    'confidential.client_secret', 'confidential.redirect_uri',
    'confidential.post_logout_redirect_uri', 'public.client_id', 'public.redirect_uri',
    'machine.client_id', 'machine.client_secret', 'machine.scope',
  ]) {
    const value = path.split('.').reduce((o, k) => o?.[k], cfg);
    if (typeof value !== 'string' || value === '') throw new Error(`config: "${path}" is required`);
  }
} catch (err) {
  result.error = `usage: node oidc-flow.mjs '<json config>': ${err.message}`;
  finish(2);
}

// ---- helpers ----

class CheckFailed extends Error {
  name = 'CheckFailed';
}

function check(condition, message, extra) {
  if (!condition) {
    const err = new CheckFailed(message);
    if (extra !== undefined) err.extra = extra;
    throw err;
  }
}

function describeError(err) {
  const out = { name: err?.name, message: err?.message };
  for (const k of ['code', 'error', 'error_description', 'status', 'extra']) {
    if (err?.[k] !== undefined) out[k] = err[k];
  }
  if (err?.cause !== undefined && !(err instanceof CheckFailed)) {
    out.cause = err.cause instanceof Error ? err.cause.message : err.cause;
  }
  return out;
}

async function step(name, needs, fn) {
  const missing = needs.filter((n) => result.steps[n] !== true);
  if (missing.length > 0) {
    result.steps[name] = false;
    result.details[name] = { skipped: `needs ${missing.join(', ')}` };
    return;
  }
  try {
    result.details[name] = (await fn()) ?? {};
    result.steps[name] = true;
  } catch (err) {
    result.steps[name] = false;
    result.details[name] = { error: describeError(err) };
  }
}

// Expects an OAuth error response (RFC 6749 section 5.2) with the given `error` code.
async function expectOAuthError(promise, expected) {
  let value;
  try {
    value = await promise;
  } catch (err) {
    check(err instanceof client.ResponseBodyError, `expected an OAuth "${expected}" error response`,
      describeError(err));
    check(err.error === expected, `expected error "${expected}", got "${err.error}"`,
      describeError(err));
    return { status: err.status, error: err.error, error_description: err.error_description };
  }
  check(false, `expected error "${expected}", but the request succeeded`,
    { response_keys: Object.keys(value ?? {}) });
}

function sameScopes(a, b) {
  const split = (s) => [...new Set(String(s ?? '').split(' ').filter(Boolean))].sort().join(' ');
  return split(a) === split(b);
}

function withoutQuery(url) {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

// GET with an optional session cookie, never following redirects.
async function getManual(url, cookie) {
  const res = await fetch(url, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  await res.arrayBuffer();
  const location = res.headers.get('location');
  return { status: res.status, location: location === null ? null : new URL(location, url) };
}

function isRedirect(status) {
  return status === 302 || status === 303;
}

// Builds a code + PKCE S256 + state + nonce request and sends it with the session cookie.
async function authorize(config, { redirect_uri, scope }, cookie) {
  const codeVerifier = client.randomPKCECodeVerifier();
  const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri,
    scope: scope ?? DEFAULT_SCOPE,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const res = await getManual(url, cookie);
  return { url, ...res, codeVerifier, state, nonce };
}

// Checks that an authorization request was sent to the login page instead of being answered.
function checkLoginRedirect(auth, as) {
  check(isRedirect(auth.status), `authorize answered ${auth.status}, expected a redirect to /login`);
  check(auth.location !== null, 'the redirect has no Location');
  const loc = auth.location;
  check(!loc.searchParams.has('code'), 'a code was issued without a (live) session',
    { location: `${loc.origin}${loc.pathname}` });
  check(loc.origin === new URL(as.issuer).origin, `login redirect leaves the issuer: ${loc.origin}`);
  check(loc.pathname === '/login', `redirected to ${loc.pathname}, expected /login`);
  const ret = loc.searchParams.get('return');
  check(ret, 'the login redirect has no return parameter');
  const back = new URL(ret, as.issuer);
  check(back.origin === new URL(as.issuer).origin, `return leaves the issuer: ${ret}`);
  check(back.pathname === new URL(as.authorization_endpoint).pathname,
    `return does not lead back to the authorization endpoint: ${ret}`);
  check(back.searchParams.get('client_id') === auth.url.searchParams.get('client_id'),
    'return lost the authorization request');
  return { status: auth.status, location_path: loc.pathname, return: ret };
}

// Checks that an authorization request was answered with a code at the client's redirect URI.
function checkCodeRedirect(auth, redirectUri, as) {
  check(isRedirect(auth.status), `authorize answered ${auth.status}, expected a redirect`,
    { location: auth.location?.href });
  check(auth.location !== null, 'the redirect has no Location');
  const loc = auth.location;
  check(withoutQuery(loc) === withoutQuery(redirectUri),
    `redirected to ${withoutQuery(loc)}, expected ${redirectUri}`);
  check(!loc.searchParams.has('error'),
    `authorization error: ${loc.searchParams.get('error')} ${loc.searchParams.get('error_description') ?? ''}`);
  check(loc.searchParams.get('code'), 'no code in the redirect');
  check(loc.searchParams.get('state') === auth.state, 'state not echoed');
  if (as.authorization_response_iss_parameter_supported) {
    check(loc.searchParams.get('iss') === as.issuer, 'iss missing or wrong in the redirect');
  }
  return { status: auth.status, params: [...loc.searchParams.keys()] };
}

let jwks;
let as;

// Verifies an ID token with jose against the JWKS: signature, alg, iss, aud, exp, nonce.
async function verifyIdToken(idToken, clientId, expectedAlg, nonce) {
  const { payload, protectedHeader } = await jwtVerify(idToken, jwks, {
    issuer: as.issuer,
    audience: clientId,
    algorithms: expectedAlg ? [expectedAlg] : ['ES256', 'EdDSA'],
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
  });
  if (nonce !== undefined) check(payload.nonce === nonce, 'ID token nonce does not match');
  if (Array.isArray(payload.aud) && payload.aud.length > 1) {
    check(payload.azp === clientId, 'ID token with several audiences lacks azp');
  }
  return { header: protectedHeader, claims: payload };
}

// Verifies an RFC 9068 access token with jose: typ at+jwt, iss, aud = the issuer (the
// platform's API is the resource server), client_id, scope and the required claims.
async function verifyAccessToken(accessToken, clientId, scope) {
  const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, {
    issuer: as.issuer,
    audience: as.issuer,
    typ: 'at+jwt',
    algorithms: ['ES256', 'EdDSA'],
    requiredClaims: ['iss', 'sub', 'aud', 'client_id', 'scope', 'exp', 'iat', 'jti'],
  });
  check(payload.client_id === clientId, `access token client_id is ${payload.client_id}`);
  check(sameScopes(payload.scope, scope), `access token scope is "${payload.scope}", asked "${scope}"`);
  check(typeof payload.jti === 'string' && payload.jti !== '', 'access token jti is empty');
  return { header: protectedHeader, claims: payload };
}

const state = {};
const insecure = [client.allowInsecureRequests];

// Every client gets its own Configuration over the one discovered metadata document;
// enableNonRepudiationChecks makes openid-client verify ID token signatures itself too.
function configure(clientId, metadata, auth) {
  const c = new client.Configuration(as, clientId, metadata, auth);
  if (new URL(as.issuer).protocol === 'http:') client.allowInsecureRequests(c);
  client.enableNonRepudiationChecks(c);
  return c;
}

function algMetadata(section) {
  return section.id_token_signed_response_alg
    ? { id_token_signed_response_alg: section.id_token_signed_response_alg }
    : {};
}

// ---- the steps ----

await step('discovery', [], async () => {
  const config = await client.discovery(
    new URL(cfg.issuer),
    cfg.confidential.client_id,
    { client_secret: cfg.confidential.client_secret, ...algMetadata(cfg.confidential) },
    client.ClientSecretBasic(cfg.confidential.client_secret),
    { execute: new URL(cfg.issuer).protocol === 'http:' ? insecure : [] },
  );
  as = config.serverMetadata();
  check(new URL(as.issuer).href === new URL(cfg.issuer).href,
    `issuer ${as.issuer} is not ${cfg.issuer}`);
  for (const k of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
    'end_session_endpoint']) {
    check(typeof as[k] === 'string', `metadata lacks ${k}`);
  }
  const has = (list, v) => Array.isArray(list) && list.includes(v);
  check(has(as.response_types_supported, 'code'), 'response_types_supported lacks code');
  check(has(as.code_challenge_methods_supported, 'S256'), 'code_challenge_methods_supported lacks S256');
  for (const alg of ['ES256', 'EdDSA']) {
    check(has(as.id_token_signing_alg_values_supported, alg),
      `id_token_signing_alg_values_supported lacks ${alg}`);
  }
  if (as.grant_types_supported !== undefined) {
    for (const g of ['authorization_code', 'refresh_token', 'client_credentials']) {
      check(has(as.grant_types_supported, g), `grant_types_supported lacks ${g}`);
    }
  }
  if (as.token_endpoint_auth_methods_supported !== undefined) {
    for (const m of ['client_secret_basic', 'client_secret_post', 'none']) {
      check(has(as.token_endpoint_auth_methods_supported, m),
        `token_endpoint_auth_methods_supported lacks ${m}`);
    }
  }
  if (as.subject_types_supported !== undefined) {
    check(has(as.subject_types_supported, 'pairwise'), 'subject_types_supported lacks pairwise');
  }
  const res = await fetch(as.jwks_uri, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
  check(res.status === 200, `jwks_uri answered ${res.status}`);
  const set = await res.json();
  check(Array.isArray(set.keys) && set.keys.length > 0, 'the JWKS has no keys');
  for (const key of set.keys) {
    check(key.d === undefined, 'the JWKS publishes a private key');
    check(typeof key.kid === 'string' && key.kid !== '', 'a JWKS key has no kid');
  }
  check(set.keys.some((k) => k.kty === 'EC' && k.crv === 'P-256'), 'the JWKS has no P-256 key');
  check(set.keys.some((k) => k.kty === 'OKP' && k.crv === 'Ed25519'), 'the JWKS has no Ed25519 key');
  jwks = createRemoteJWKSet(new URL(as.jwks_uri), { timeoutDuration: HTTP_TIMEOUT_MS });
  state.conf = configure(
    cfg.confidential.client_id,
    { client_secret: cfg.confidential.client_secret, ...algMetadata(cfg.confidential) },
    client.ClientSecretBasic(cfg.confidential.client_secret),
  );
  state.pub = configure(cfg.public.client_id, algMetadata(cfg.public), client.None());
  // client_secret_post here, client_secret_basic for the confidential client: both are used.
  state.machine = configure(cfg.machine.client_id, { client_secret: cfg.machine.client_secret },
    client.ClientSecretPost(cfg.machine.client_secret));
  return {
    issuer: as.issuer,
    iss_parameter_supported: as.authorization_response_iss_parameter_supported ?? false,
    jwks: set.keys.map((k) => ({ kid: k.kid, kty: k.kty, crv: k.crv, alg: k.alg, use: k.use })),
  };
});

await step('authorize_without_session_redirects_to_login', ['discovery'], async () => {
  const auth = await authorize(state.conf, cfg.confidential, null);
  return checkLoginRedirect(auth, as);
});

await step('login', ['discovery'], async () => {
  const url = `${cfg.issuer.replace(/\/$/, '')}/api/v1/session`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: cfg.user.username, password: cfg.user.password }),
    redirect: 'manual',
    signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
  });
  const body = await res.text();
  check(res.status === 201, `POST /api/v1/session answered ${res.status}`, body.slice(0, 500));
  const cookie = res.headers.getSetCookie()
    .map((c) => c.split(';')[0].trim())
    .find((c) => c.startsWith('ow_session=') && c.length > 'ow_session='.length);
  check(cookie, 'no ow_session cookie was set', res.headers.getSetCookie().map((c) => c.split('=')[0]));
  state.cookie = cookie;
  const attributes = res.headers.getSetCookie().find((c) => c.startsWith('ow_session='))
    .split(';').slice(1).map((a) => a.trim().split('=')[0].toLowerCase());
  return { status: res.status, cookie_attributes: attributes };
});

await step('confidential_code_flow', ['discovery', 'login'], async () => {
  const auth = await authorize(state.conf, cfg.confidential, state.cookie);
  const redirect = checkCodeRedirect(auth, cfg.confidential.redirect_uri, as);
  const tokens = await client.authorizationCodeGrant(state.conf, auth.location, {
    pkceCodeVerifier: auth.codeVerifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
    idTokenExpected: true,
  });
  check(tokens.id_token, 'no id_token');
  check(tokens.access_token, 'no access_token');
  check(tokens.refresh_token, 'no refresh_token');
  const scope = cfg.confidential.scope ?? DEFAULT_SCOPE;
  const id = await verifyIdToken(tokens.id_token, cfg.confidential.client_id,
    cfg.confidential.id_token_signed_response_alg, auth.nonce);
  check(tokens.claims()?.sub === id.claims.sub, 'openid-client and jose disagree on sub');
  const at = await verifyAccessToken(tokens.access_token, cfg.confidential.client_id, scope);
  Object.assign(state, {
    idToken: tokens.id_token, sub: id.claims.sub, accessToken: tokens.access_token,
    refresh1: tokens.refresh_token,
  });
  return {
    redirect,
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    id_token: id,
    access_token: at,
  };
});

await step('userinfo', ['confidential_code_flow'], async () => {
  const info = await client.fetchUserInfo(state.conf, state.accessToken, state.sub);
  check(info.sub === state.sub, `userinfo sub ${info.sub} is not the ID token's ${state.sub}`);
  return { claims: info };
});

await step('refresh_rotation', ['confidential_code_flow'], async () => {
  const tokens = await client.refreshTokenGrant(state.conf, state.refresh1);
  check(tokens.access_token, 'no access_token');
  check(tokens.access_token !== state.accessToken, 'the access token was not renewed');
  check(tokens.refresh_token, 'no new refresh_token');
  check(tokens.refresh_token !== state.refresh1, 'the refresh token was not rotated');
  const at = await verifyAccessToken(tokens.access_token, cfg.confidential.client_id,
    cfg.confidential.scope ?? DEFAULT_SCOPE);
  let id;
  if (tokens.id_token) {
    id = await verifyIdToken(tokens.id_token, cfg.confidential.client_id,
      cfg.confidential.id_token_signed_response_alg);
    check(id.claims.sub === state.sub, 'the refreshed ID token names another subject');
  }
  state.refresh2 = tokens.refresh_token;
  return { access_token: at, id_token: id ?? null };
});

await step('refresh_reuse_revokes_family', ['refresh_rotation'], async () => {
  const first = await expectOAuthError(client.refreshTokenGrant(state.conf, state.refresh1),
    'invalid_grant');
  const second = await expectOAuthError(client.refreshTokenGrant(state.conf, state.refresh2),
    'invalid_grant');
  return { reused_first: first, then_second: second };
});

await step('public_client_pkce_pairwise', ['discovery', 'login'], async () => {
  const auth = await authorize(state.pub, cfg.public, state.cookie);
  const redirect = checkCodeRedirect(auth, cfg.public.redirect_uri, as);
  const checks = {
    pkceCodeVerifier: auth.codeVerifier,
    expectedState: auth.state,
    expectedNonce: auth.nonce,
    idTokenExpected: true,
  };
  const tokens = await client.authorizationCodeGrant(state.pub, auth.location, checks);
  check(tokens.id_token, 'no id_token');
  const id = await verifyIdToken(tokens.id_token, cfg.public.client_id,
    cfg.public.id_token_signed_response_alg, auth.nonce);
  const at = await verifyAccessToken(tokens.access_token, cfg.public.client_id,
    cfg.public.scope ?? DEFAULT_SCOPE);
  state.publicCallback = { url: auth.location, checks };
  // Without the confidential client's sub (its step failed, so the run fails anyway) the
  // comparison is reported as not made rather than hiding the rest of this step.
  const compared = result.steps.confidential_code_flow === true;
  if (compared) {
    check(id.claims.sub !== state.sub,
      'the public client sees the same sub as the confidential one (not pairwise)');
  }
  return { redirect, id_token: id, access_token: at, pairwise_compared: compared,
    confidential_sub: state.sub ?? null };
});

await step('code_reuse_rejected', ['public_client_pkce_pairwise'], async () => {
  const { url, checks } = state.publicCallback;
  return expectOAuthError(client.authorizationCodeGrant(state.pub, url, checks), 'invalid_grant');
});

await step('client_credentials', ['discovery'], async () => {
  const tokens = await client.clientCredentialsGrant(state.machine, { scope: cfg.machine.scope });
  check(tokens.access_token, 'no access_token');
  check(!tokens.id_token, 'an ID token was issued without a user');
  const at = await verifyAccessToken(tokens.access_token, cfg.machine.client_id, cfg.machine.scope);
  check(at.claims.sub === cfg.machine.client_id,
    `client credentials sub is ${at.claims.sub}, expected the client_id`);
  return { scope: tokens.scope, refresh_token_issued: Boolean(tokens.refresh_token), access_token: at };
});

await step('logout', ['confidential_code_flow'], async () => {
  const logoutState = client.randomState();
  const url = client.buildEndSessionUrl(state.conf, {
    id_token_hint: state.idToken,
    post_logout_redirect_uri: cfg.confidential.post_logout_redirect_uri,
    state: logoutState,
  });
  const res = await getManual(url, state.cookie);
  check(isRedirect(res.status), `end_session answered ${res.status}, expected a redirect`);
  check(res.location !== null, 'the logout redirect has no Location');
  check(withoutQuery(res.location) === withoutQuery(cfg.confidential.post_logout_redirect_uri),
    `logout redirected to ${withoutQuery(res.location)}`);
  check(res.location.searchParams.get('state') === logoutState, 'logout state not echoed');
  const after = await authorize(state.conf, cfg.confidential, state.cookie);
  const login = checkLoginRedirect(after, as);
  return { status: res.status, then_authorize: login };
});

result.ok = Object.values(result.steps).every(Boolean);
finish(result.ok ? 0 : 1);
