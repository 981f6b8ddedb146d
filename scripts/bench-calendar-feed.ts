// The calendar feed's cost (issue 106): every person's feed of the rota across a DST change that the golden test
// reads (test/fixtures/oncall/dst-rota.ts), each computed ROUNDS times; prints the milliseconds per feed.
// Usage: npx bun scripts/bench-calendar-feed.ts [rounds]
import { personCalendar } from "../src/tell/oncall/calendar-feed";
import { DST_ROTA, DST_ROTA_NOW, DST_ROTA_PEOPLE } from "../test/fixtures/oncall/dst-rota";

const rounds = Number(process.argv[2] ?? 3);
const perPerson = new Map<string, number[]>();
for (let r = 0; r < rounds; r++) {
  for (const person of DST_ROTA_PEOPLE) {
    const started = performance.now();
    personCalendar(DST_ROTA, person, DST_ROTA_NOW);
    (perPerson.get(person) ?? perPerson.set(person, []).get(person)!).push(performance.now() - started);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let total = 0;
for (const [person, ms] of perPerson) {
  total += median(ms);
  console.log(`${person.padEnd(26)} ${median(ms).toFixed(1).padStart(9)} ms (median of ${ms.length})`);
}
console.log(`${"one feed each".padEnd(26)} ${total.toFixed(1).padStart(9)} ms`);
