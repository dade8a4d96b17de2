// A throw-away OneWindow demo server on 127.0.0.1, shared by the browser tests
// (portal-e2e.mjs) and the Lighthouse measurement (bench/lighthouse/run.mjs): a temporary
// SQLite database loaded with seed-demo, the portal served from a web root, and a signed-in
// session of a demo account. Node's own modules only, so that it loads from anywhere.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The password of every demo account (seed-demo, demo/accounts.json).
export const DEMO_PASSWORD = 'OneWindow-demo-2026';

// Seeds a fresh database in a temporary directory and serves it on a free port of
// 127.0.0.1. `binary`: the onewindow executable; `source`: the checkout whose demo/ is seeded
// (seed-demo runs there); `webRoot`: the built portal (source/web/dist by default); `env`:
// extra environment of the serving process (not of the seeding); `durable`: SQLite's default
// synchronous=FULL, else (the tests) synchronous=off, as the C++ tests' databases: a killed
// server loses nothing committed either way, only the waits for the disk go. Resolves to
// { base: 'http://127.0.0.1:PORT', dir, stop() }; stop() ends the server and removes the
// directory (the database is dir/demo.db).
export async function startServer({ binary, source, webRoot = path.join(source, 'web', 'dist'), env = {}, prefix = 'ow-server-', durable = false }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const db = 'sqlite:' + path.join(dir, 'demo.db') + (durable ? '' : '?synchronous=off');
  // One key file for the seeding and the server: the demo's personal data and the seals'
  // keys are sealed with it.
  const keys = { ONEWINDOW_KEY_FILE: path.join(dir, 'keys.json') };
  try {
    execFileSync(binary, ['--database', db, 'seed-demo'], {
      cwd: source,
      env: { ...process.env, ...keys },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const child = spawn(binary, ['--database', db, 'serve', '--listen', '127.0.0.1:0', '--web-root', webRoot], {
    cwd: dir,
    env: { ...process.env, ...keys, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () => {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  let log = '';
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('server did not start: ' + log)), 30000);
      child.stderr.on('data', (d) => {
        log += d;
        const m = /"event":"server.listening".*"port":(\d+)/.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${log}`)));
    });
    child.stderr.resume();
    return { base: `http://127.0.0.1:${port}`, dir, stop };
  } catch (e) {
    stop();
    throw e;
  }
}

// Signs `username` in by the API (POST /api/v1/session). Resolves to { cookie, csrf }: the
// session cookie as a Cookie header's value and the CSRF token that unsafe requests carry.
export async function signIn(base, username, password = DEMO_PASSWORD) {
  const res = await fetch(base + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 201) throw new Error(`API login of ${username} answered ${res.status}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await res.json();
  return { cookie, csrf: csrf_token };
}
