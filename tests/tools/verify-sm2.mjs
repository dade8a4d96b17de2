// SM2 signatures checked and made by the npm `sm-crypto` library, a pure JavaScript
// implementation (the kind a phone or a browser verifier uses), independently of our C++
// code and of OpenSSL (tests/sm2_interop_test.cc runs it).
//
//   node verify-sm2.mjs probe
//       exits 0 when sm-crypto loads.
//   node verify-sm2.mjs verify <public-point-hex> <data-file> <signature-file> <der|raw>
//       verifies the signature (DER SEQUENCE{r,s}, or the 64-byte r || s) of the file's
//       bytes under the 65-byte 04 || x || y public point; prints "valid" and exits 0, or
//       prints "invalid" and exits 1.
//   node verify-sm2.mjs sign <data-file>
//       makes a new key pair, signs the file's bytes (DER) and prints
//       {"publicKey": "04...", "signature": "30..."} (hex).
//
// Always SM3 over Z_A || M (hash: true) with the distinguishing ID 1234567812345678
// (sm-crypto's default, given explicitly). Exit codes: 2 for bad usage, 3 when sm-crypto
// is not installed (npm ci in tests/tools).
import { readFileSync } from 'node:fs';

const USER_ID = '1234567812345678';

let sm2;
try {
  ({ sm2 } = (await import('sm-crypto')).default);
} catch (err) {
  console.error(`verify-sm2: sm-crypto is not installed: ${err.message}`);
  process.exit(3);
}

const bytes = (path) => Array.from(readFileSync(path));
const [mode, ...args] = process.argv.slice(2);

if (mode === 'probe') {
  process.exit(0);
} else if (mode === 'verify' && args.length === 4 && ['der', 'raw'].includes(args[3])) {
  const [publicKey, dataPath, sigPath, form] = args;
  const signature = readFileSync(sigPath).toString('hex');
  const ok = sm2.doVerifySignature(bytes(dataPath), signature, publicKey.toLowerCase(), {
    der: form === 'der',
    hash: true,
    userId: USER_ID,
  });
  console.log(ok ? 'valid' : 'invalid');
  process.exit(ok ? 0 : 1);
} else if (mode === 'sign' && args.length === 1) {
  const { privateKey, publicKey } = sm2.generateKeyPairHex();
  const signature = sm2.doSignature(bytes(args[0]), privateKey, {
    der: true,
    hash: true,
    publicKey,
    userId: USER_ID,
  });
  console.log(JSON.stringify({ publicKey, signature }));
} else {
  console.error('usage: node verify-sm2.mjs probe | verify <point-hex> <data> <sig> <der|raw> | sign <data>');
  process.exit(2);
}
