// Verifies a compact JWT with the npm `jose` library, as an OpenID Connect client would,
// independently of our C++ code (tests/crypto_interop_test.cc runs it).
//
//   node verify-jwt.mjs <jwk.json> <token-file>
//
// Accepts only the JWK's own "alg", checks exp/nbf against the current time, and
// requires both the JWK's "kid" and the token header's "kid" to equal jose's RFC 7638
// thumbprint of the key. On success prints the payload as JSON and exits 0; on any
// failure prints the reason to stderr and exits 1 (2 for bad usage).
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint, importJWK, jwtVerify } from 'jose';

const [jwkPath, tokenPath] = process.argv.slice(2);
if (!jwkPath || !tokenPath) {
  console.error('usage: node verify-jwt.mjs <jwk.json> <token-file>');
  process.exit(2);
}

try {
  const jwk = JSON.parse(readFileSync(jwkPath, 'utf8'));
  const token = readFileSync(tokenPath, 'utf8').trim();
  const thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  if (jwk.kid !== thumbprint) {
    throw new Error(`JWK kid ${jwk.kid} is not its RFC 7638 thumbprint ${thumbprint}`);
  }
  const key = await importJWK(jwk, jwk.alg);
  const { payload, protectedHeader } = await jwtVerify(token, key, { algorithms: [jwk.alg] });
  if (protectedHeader.kid !== thumbprint) {
    throw new Error(`token kid ${protectedHeader.kid} does not name the key ${thumbprint}`);
  }
  console.log(JSON.stringify(payload));
} catch (err) {
  console.error(`verify-jwt: ${err.code ?? err.name}: ${err.message}`);
  process.exit(1);
}
