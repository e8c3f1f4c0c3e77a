// Read an iTIP message (RFC 5546) with Mozilla's ical.js, the parser Thunderbird uses.
//
//   node tests/events/icaljs/itip.mjs FILE
//
// Prints JSON: the calendar's METHOD and, for every VEVENT in file order, its UID, RECURRENCE-ID
// and start (UTC, resolved through the VTIMEZONE in the same file), SEQUENCE, STATUS, ORGANIZER
// and ATTENDEE (address and parameters as ical.js reads them). Nothing of Python's is used.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

function utc(time) {
  if (!time) {
    return null;
  }
  if (time.zone === ICAL.Timezone.localTimezone) {
    throw new Error(`floating time ${time.toString()}: every time must carry a zone`);
  }
  return new Date(time.toUnixTime() * 1000).toISOString().replace(".000Z", "Z");
}

function address(property) {
  if (!property) {
    return null;
  }
  const params = {};
  for (const name of ["cn", "role", "partstat", "rsvp"]) {
    const value = property.getParameter(name);
    if (value !== undefined) {
      params[name] = String(value);
    }
  }
  return { value: property.getFirstValue(), ...params };
}

function main() {
  const [file] = process.argv.slice(2);
  if (!file) {
    console.error("usage: node itip.mjs FILE");
    process.exit(2);
  }
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    return {
      uid: event.uid,
      recurrence_id: utc(event.recurrenceId),
      sequence: event.sequence,
      start: utc(event.startDate),
      status: vevent.getFirstPropertyValue("status"),
      organizer: address(vevent.getFirstProperty("organizer")),
      attendees: vevent.getAllProperties("attendee").map(address),
    };
  });
  const method = calendar.getFirstPropertyValue("method");
  process.stdout.write(JSON.stringify({ method, events }, null, 1) + "\n");
}

main();
