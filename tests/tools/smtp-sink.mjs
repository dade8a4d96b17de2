// A real SMTP server for the browser tests: smtp_sink.py (aiosmtpd) on a free port of
// 127.0.0.1, storing each mail it accepts in its own folder; mails are read back with
// Python's e-mail parser (read_mail.py). refuse(code) makes it answer every DATA with `code`
// ("451" to be retried, "550" refused for good) until accept(). Node's own modules only.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// `source`: the checkout whose tests/tools holds smtp_sink.py and read_mail.py.
export async function startSink(source) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ow-e2e-smtp-'));
  const child = spawn('/usr/bin/python3', [path.join(source, 'tests/tools/smtp_sink.py'), dir, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('smtp_sink.py did not start (python3-aiosmtpd installed?)')), 15000);
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /listening (\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error('smtp_sink.py exited with ' + code)));
    });
    return {
      port,
      mails: () => JSON.parse(execFileSync('/usr/bin/python3', [path.join(source, 'tests/tools/read_mail.py'), dir], { encoding: 'utf8' })),
      refuse: (code) => fs.writeFileSync(path.join(dir, 'refuse'), code),
      accept: () => fs.rmSync(path.join(dir, 'refuse'), { force: true }),
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

// Waits (at most 30 s) for a mail to `to` whose subject matches `re`.
export async function waitForMail(sink, to, re) {
  const until = Date.now() + 30000;
  while (Date.now() < until) {
    const found = sink.mails().find((m) => m.to === to && re.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no mail to ${to} with a subject like ${re}: ${JSON.stringify(sink.mails().map((m) => m.subject))}`);
}
