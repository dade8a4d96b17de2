// Verifies a bulk extract as a consuming system would, independently of our C++ code
// (tests/exchange_test.cc runs it): the manifest's signature with npm `jose` against the
// platform's published JWKS, then each downloaded part and the whole file against the
// SHA-256 digests, byte counts and row counts the signed manifest states (node crypto).
//
//   node verify-extract.mjs <jwks-url> <manifest-file> <part-file>...
//
// Requires the JWS "typ" ow-exchange-manifest+jwt and ES256. On success prints the
// manifest payload as JSON and exits 0; on any failure prints the reason to stderr and
// exits 1 (2 for bad usage).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, manifestPath, ...partPaths] = process.argv.slice(2);
if (!jwksUrl || !manifestPath || partPaths.length === 0) {
  console.error('usage: node verify-extract.mjs <jwks-url> <manifest-file> <part-file>...');
  process.exit(2);
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

try {
  // A loaded test machine may answer slowly: wait longer than jose's 5 s default.
  const jwks = createRemoteJWKSet(new URL(jwksUrl), { timeoutDuration: 30000 });
  const token = readFileSync(manifestPath, 'utf8').trim();
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    algorithms: ['ES256'],
    typ: 'ow-exchange-manifest+jwt',
  });
  if (payload.parts.length !== partPaths.length) {
    throw new Error(`the manifest lists ${payload.parts.length} parts, ${partPaths.length} given`);
  }
  const whole = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  partPaths.forEach((path, i) => {
    const data = readFileSync(path);
    const part = payload.parts[i];
    if (part.part !== i + 1) throw new Error(`part ${i + 1} is listed as ${part.part}`);
    if (sha256(data) !== part.sha256) throw new Error(`part ${i + 1}: SHA-256 differs`);
    if (data.length !== part.bytes) throw new Error(`part ${i + 1}: ${data.length} bytes`);
    const lines = data.toString('utf8').split('\n');
    if (lines.pop() !== '') throw new Error(`part ${i + 1} does not end with a whole line`);
    for (const line of lines) {
      const record = JSON.parse(line);
      const names = Object.keys(record);
      const expected = [payload.key, ...payload.fields.filter((f) => f !== payload.key)];
      if (names.join(',') !== expected.join(',')) {
        throw new Error(`part ${i + 1}: a record holds ${names} instead of ${expected}`);
      }
    }
    if (lines.length !== part.rows) throw new Error(`part ${i + 1}: ${lines.length} rows`);
    rows += lines.length;
    bytes += data.length;
    whole.update(data);
  });
  if (whole.digest('hex') !== payload.sha256) throw new Error('the whole file: SHA-256 differs');
  if (rows !== payload.row_count) throw new Error(`the file holds ${rows} rows`);
  if (bytes !== payload.bytes) throw new Error(`the file holds ${bytes} bytes`);
  if (protectedHeader.alg !== 'ES256') throw new Error(`alg ${protectedHeader.alg}`);
  console.log(JSON.stringify(payload));
} catch (err) {
  console.error(`verify-extract: ${err.code ?? err.name}: ${err.message}`);
  process.exit(1);
}
