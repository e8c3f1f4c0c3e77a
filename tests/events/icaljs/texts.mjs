// Read the text properties of iCalendar files with Mozilla's ical.js, as a calendar app would.
//
//   node tests/events/icaljs/texts.mjs FILE...
//
// Prints a JSON array, one object per file: the calendar's NAME, X-WR-CALNAME and DESCRIPTION,
// and for each VEVENT its SUMMARY, DESCRIPTION, LOCATION and CATEGORIES, unescaped by ical.js.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const read = (file) => {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
  return {
    name: calendar.getFirstPropertyValue("name"),
    calname: calendar.getFirstPropertyValue("x-wr-calname"),
    description: calendar.getFirstPropertyValue("description"),
    events: calendar.getAllSubcomponents("vevent").map((event) => ({
      summary: event.getFirstPropertyValue("summary"),
      description: event.getFirstPropertyValue("description"),
      location: event.getFirstPropertyValue("location"),
      categories: event.getFirstProperty("categories")?.getValues() ?? [],
    })),
  };
};

console.log(JSON.stringify(process.argv.slice(2).map(read)));
