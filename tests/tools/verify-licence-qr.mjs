// Verifies a OneWindow licence's QR payload offline, as a phone app would: no server, only
// the seal's public key (from its published certificate) and the npm `sm-crypto` library
// (pure JavaScript SM2/SM3), independently of our C++ code and of OpenSSL.
//
//   node verify-licence-qr.mjs <payload or URL with it after '#'> <seal public key PEM file> [holder-kind holder-id]
//
// The payload is OWL1.<base64url claims JSON>.<base64url r || s> (src/licences/payload.h):
// the SM2 signature (SM3, distinguishing ID 1234567812345678) covers "OWL1.<claims>". With
// a holder, the claim "h" must be base64url(SM3("OWL1-holder" 0 kind ":" id 0 number)[0..16]).
// Prints the claims as JSON and exits 0 when everything holds; prints why and exits 1
// otherwise; 2 for bad usage, 3 when sm-crypto is not installed.
import { readFileSync } from 'node:fs';

let sm2, sm3;
try {
  ({ sm2, sm3 } = (await import('sm-crypto')).default);
} catch (err) {
  console.error(`verify-licence-qr: sm-crypto is not installed: ${err.message}`);
  process.exit(3);
}
const [text, keyFile, holderKind, holderId] = process.argv.slice(2);
if (!text || !keyFile) {
  console.error('usage: verify-licence-qr.mjs <payload|url> <public-key.pem> [kind id]');
  process.exit(2);
}
const fail = (why) => { console.log(`invalid: ${why}`); process.exit(1); };

const payload = text.includes('#') ? text.slice(text.lastIndexOf('#') + 1) : text;
const parts = payload.split('.');
if (parts.length !== 3 || parts[0] !== 'OWL1') fail('not OWL1.<claims>.<signature>');
const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
const sig = Buffer.from(parts[2], 'base64url');
if (sig.length !== 64) fail('the signature is not 64 bytes');

// The SubjectPublicKeyInfo of an EC key ends with the uncompressed point 04 || x || y.
const pem = readFileSync(keyFile, 'utf8');
const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
const point = der.subarray(der.length - 65);
if (point[0] !== 4) fail('the key is not an uncompressed EC point');

const signed = Array.from(Buffer.from(`OWL1.${parts[1]}`, 'ascii'));
const ok = sm2.doVerifySignature(signed, sig.toString('hex'), point.toString('hex'), {
  der: false, hash: true, userId: '1234567812345678',
});
if (!ok) fail('the SM2 signature does not verify with the seal\'s key');

if (holderKind && holderId) {
  const input = Buffer.concat([Buffer.from('OWL1-holder'), Buffer.from([0]),
    Buffer.from(`${holderKind}:${holderId}`), Buffer.from([0]), Buffer.from(claims.n)]);
  const digest = Buffer.from(sm3(Array.from(input)), 'hex').subarray(0, 16).toString('base64url');
  if (digest !== claims.h) fail('the holder digest does not match this holder');
}
console.log(JSON.stringify(claims));
