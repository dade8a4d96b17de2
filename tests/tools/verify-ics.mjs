// Reads a booking's .ics with ical.js (an independent RFC 5545 parser) and checks the one
// event: its UID carries the booking number, its start and end name Asia/Shanghai and
// convert to the expected UTC instants, and the calendar defines that time zone.
// Usage: node verify-ics.mjs FILE BOOKING_NO START_UTC END_UTC  (exit 0 when all hold)
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const [file, number, startUtc, endUtc] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const problems = [];
if (!text.split('\n').every((l, i, all) => i === all.length - 1 || l.endsWith('\r')))
  problems.push('every line must end with CRLF');
for (const line of text.split('\r\n'))
  if (Buffer.byteLength(line, 'utf8') > 75) problems.push(`line longer than 75 octets: ${line}`);
const root = new ICAL.Component(ICAL.parse(text));
if (root.getFirstPropertyValue('version') !== '2.0') problems.push('VERSION is not 2.0');
if (!root.getFirstPropertyValue('prodid')) problems.push('no PRODID');
const tzc = root.getFirstSubcomponent('vtimezone');
if (!tzc || tzc.getFirstPropertyValue('tzid') !== 'Asia/Shanghai') problems.push('no VTIMEZONE Asia/Shanghai');
else ICAL.TimezoneService.register(tzc);
const events = root.getAllSubcomponents('vevent');
if (events.length !== 1) problems.push(`expected one VEVENT, found ${events.length}`);
const ev = new ICAL.Event(events[0]);
if (!ev.uid.startsWith(number + '@')) problems.push(`UID ${ev.uid} does not name ${number}`);
for (const name of ['dtstart', 'dtend']) {
  const tzid = events[0].getFirstProperty(name).getParameter('tzid');
  if (tzid !== 'Asia/Shanghai') problems.push(`${name.toUpperCase()} names time zone ${tzid}`);
}
if (ev.startDate.zone?.tzid !== 'Asia/Shanghai') problems.push(`DTSTART read in zone ${ev.startDate.zone?.tzid}`);
const iso = (t) => t.toJSDate().toISOString().replace('.000Z', 'Z');
if (iso(ev.startDate) !== startUtc) problems.push(`start ${iso(ev.startDate)} != ${startUtc}`);
if (iso(ev.endDate) !== endUtc) problems.push(`end ${iso(ev.endDate)} != ${endUtc}`);
if (!ev.description.includes(number)) problems.push('DESCRIPTION lacks the booking number');
if (!ev.location) problems.push('no LOCATION');
if (!events[0].getFirstPropertyValue('dtstamp')) problems.push('no DTSTAMP');
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ok ${ev.uid} ${iso(ev.startDate)} ${iso(ev.endDate)} ${ev.summary}`);
