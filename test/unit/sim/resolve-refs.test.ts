// The site loader's lookup of an app or task by id or name (src/sim/site/resolve-refs.ts): the same item a pass over
// the list picks (id ignoring case, else the exact name, else the name ignoring case; the first item on a tie).
import { expect, test } from "bun:test";
import { findByIdOrName, findByName } from "../../../src/sim/site/resolve-refs";

test("findByIdOrName answers what the passes over the list answered", () => {
  const items = [
    { id: "AAAA-1", name: "Sales" },
    { id: "bbbb-2", name: "sales" },
    { id: "cccc-3", name: "SALES" },
    { id: "dddd-4", name: "Model" },
    { id: "dddd-4", name: "Model copy" },
    { id: "eeee-5", name: "bbbb-2" },
  ];
  const scan = (ref: string) => items.find((a) => a.id.toLowerCase() === ref.toLowerCase()) ?? findByName(items, ref);
  const find = findByIdOrName(items);
  const refs = ["aaaa-1", "AAAA-1", "BBBB-2", "Sales", "sales", "SALES", "sAlEs", "model", "DDDD-4", "Model copy", "bbbb-2", "eeee-5", "none"];
  for (const ref of refs) expect(find(ref)).toBe(scan(ref));
  expect(find("sAlEs")).toBe(items[0]);
  expect(find("SALES")).toBe(items[2]);
  expect(find("bbbb-2")).toBe(items[1]);
  expect(find("none")).toBeUndefined();
});
