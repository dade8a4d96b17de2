// Set-up of bench/booking.sh against a running server with the demo data: PERSONS residents
// registered and verified at the counter (identity level 3), a bench hall whose one item has
// room for every booking a run can make, and the sessions wrk sends. Writes to DIR:
//   sessions.txt  one "cookie csrf" line per resident;
//   counter.txt   the counter clerk's "cookie csrf" (for the reference write, a walk-in);
//   slots.txt     one "day start" line per open slot of the bench hall.
//   node bench/booking-setup.mjs BASE ADMIN_TOKEN PERSONS DIR
import fs from 'node:fs';

const [base, admin, count, dir] = process.argv.slice(2);
const PASSWORD = 'OneWindow-demo-2026';
const HALL = 'BENCH-HALL';
const ITEM = '330102-SCJG-XCYDJ';

async function signIn(username) {
  const r = await fetch(base + '/api/v1/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  if (r.status !== 201) throw new Error(`login of ${username}: ${r.status}`);
  return { cookie: r.headers.get('set-cookie').split(';')[0], csrf: (await r.json()).csrf_token };
}
async function call(who, method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (who === 'admin') headers.Authorization = 'Bearer ' + admin;
  else if (who) Object.assign(headers, { Cookie: who.cookie, 'X-CSRF-Token': who.csrf });
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}
// A resident ID number with its check character (GB 11643).
function residentId(n) {
  const base17 = '330102199001' + String(10000 + n).slice(-5);
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...base17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return base17 + '10X98765432'[sum % 11];
}

const hours = [];
for (let d = 1; d <= 7; d++) hours.push({ weekday: d, open: '00:00', close: '24:00' });
const windows = Array.from({ length: 10 }, (_, i) => ({ number: i + 1, name: `窗口${i + 1}`, name_en: `Window ${i + 1}`, items: [ITEM], capacity: 100 }));
const hall = await call('admin', 'PUT', `/api/v1/halls/${HALL}`, {
  name: '压测大厅', name_en: 'Bench hall', address: '本机', address_en: 'Loopback', region_code: '330102', phone: '0', slot_minutes: 15, hours, windows,
});
if (hall.status !== 201 && hall.status !== 200) throw new Error('hall: ' + JSON.stringify(hall.body));

const counter = await signIn('hall.counter');
const sessions = [];
for (let i = 0; i < Number(count); i++) {
  const username = `bench.person${i}`;
  const reg = await call(null, 'POST', '/api/v1/accounts', { username, password: PASSWORD, real_name: '压测', resident_id: residentId(i) });
  if (reg.status !== 201) throw new Error(`register ${username}: ` + JSON.stringify(reg.body));
  const v = await call(counter, 'POST', `/api/v1/counter/accounts/${reg.body.id}/verification`, { hall_region: '330102', card_checked: true });
  if (v.status !== 200) throw new Error(`verify ${username}: ` + JSON.stringify(v.body));
  sessions.push(await signIn(username));
}
const slots = await call(null, 'GET', `/api/v1/halls/${HALL}/slots?item=${ITEM}`);
const lines = slots.body.days.flatMap((d) => d.slots.map((s) => `${d.day} ${s.start}`));
fs.writeFileSync(dir + '/sessions.txt', sessions.map((s) => `${s.cookie} ${s.csrf}`).join('\n') + '\n');
fs.writeFileSync(dir + '/counter.txt', `${counter.cookie} ${counter.csrf}\n`);
fs.writeFileSync(dir + '/slots.txt', lines.join('\n') + '\n');
console.log(`${sessions.length} residents, ${lines.length} slots of ${windows.length * 100} places`);
