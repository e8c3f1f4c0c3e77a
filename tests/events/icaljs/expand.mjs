// Expand an iCalendar file with Mozilla's ical.js, the parser Thunderbird uses.
//
//   node tests/events/icaljs/expand.mjs FILE START END
//
// START and END are UTC instants (e.g. 2027-02-01T00:00:00Z). Prints a JSON array of every
// occurrence that overlaps [START, END): uid, recurrence_id (UTC, null for a single event), start
// and end (UTC), summary and status, in start order. Times with a TZID are resolved through the
// VTIMEZONE in the same file (ical.js prefers it to any zone it knows by name), recurrences through
// ical.js's own iterator, EXDATE and RECURRENCE-ID overrides included: nothing of Python's is used.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const MAX_OCCURRENCES = 5000; // far beyond any series the service writes (520)

function utc(time) {
  if (time.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`floating time ${time.toString()}: every time must carry a zone`);
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function occurrencesOf(master, exceptions, start, end) {
  const event = new ICAL.Event(master);
  for (const exception of exceptions) {
    event.relateException(exception);
  }
  const found = [];
  const add = (details, recurrenceId) => {
    const item = details.item;
    const begins = details.startDate.toUnixTime();
    const ends = details.endDate.toUnixTime();
    if (ends > start || (ends === begins && begins >= start)) {
      if (begins < end) {
        found.push({
          uid: item.uid,
          recurrence_id: recurrenceId,
          start: utc(details.startDate),
          end: utc(details.endDate),
          summary: item.summary,
          status: item.component.getFirstPropertyValue("status"),
        });
      }
    }
  };
  if (!event.isRecurring()) {
    add({ item: event, startDate: event.startDate, endDate: event.endDate }, null);
    return found;
  }
  const iterator = event.iterator();
  for (let n = 0; n < MAX_OCCURRENCES; n++) {
    const next = iterator.next();
    if (!next) {
      return found;
    }
    const details = event.getOccurrenceDetails(next);
    add(details, utc(details.recurrenceId));
  }
  throw new Error(`${event.uid}: more than ${MAX_OCCURRENCES} occurrences`);
}

function main() {
  const [file, startText, endText] = process.argv.slice(2);
  if (!file || !startText || !endText) {
    console.error("usage: node expand.mjs FILE START END");
    process.exit(2);
  }
  const start = Date.parse(startText) / 1000;
  const end = Date.parse(endText) / 1000;
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const masters = new Map();
  const exceptions = new Map();
  for (const vevent of calendar.getAllSubcomponents("vevent")) {
    const uid = vevent.getFirstPropertyValue("uid");
    if (vevent.hasProperty("recurrence-id")) {
      exceptions.set(uid, [...(exceptions.get(uid) ?? []), vevent]);
    } else if (masters.has(uid)) {
      throw new Error(`two VEVENTs without RECURRENCE-ID share the UID ${uid}`);
    } else {
      masters.set(uid, vevent);
    }
  }
  for (const uid of exceptions.keys()) {
    if (!masters.has(uid)) {
      throw new Error(`RECURRENCE-ID override without its series: ${uid}`);
    }
  }
  const found = [];
  for (const [uid, master] of masters) {
    found.push(...occurrencesOf(master, exceptions.get(uid) ?? [], start, end));
  }
  const key = (o) => `${o.start} ${o.uid} ${o.recurrence_id ?? ""}`;
  found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  process.stdout.write(JSON.stringify(found, null, 1) + "\n");
}

main();
