// BENCH_ONLY picks benchmark sections by name; a typo stops the run instead of silently measuring nothing.
import { expect, test } from "bun:test";
import { selectedSections } from "../../../scripts/bench";

test("BENCH_ONLY: unset runs everything, names select sections, an unknown name is refused with the choices", () => {
  expect(selectedSections(undefined)).toBeUndefined();
  expect(selectedSections(" ")).toBeUndefined();
  expect([...selectedSections("postgres, udp")!]).toEqual(["postgres", "udp"]);
  expect([...selectedSections("start,soak")!]).toEqual(["start", "soak"]);
  expect([...selectedSections("kv")!]).toEqual(["kv"]);
  expect(() => selectedSections("postgres,pg")).toThrow(
    "BENCH_ONLY: unknown section pg; choose from http, start, soak, udp, postgres, alert, enrich, parse, kv, incidents, runtimes",
  );
});
