// Which store errors are an outage (the request is answered 503 and work is kept), and whether a write that failed
// with one may still have been committed (details.outcome "unknown") or surely was not ("notApplied").
import { expect, test } from "bun:test";
import { AppError } from "../../../../src/platform/core/errors";
import { causedByStoreOutage, diskFullCause, isDiskFull, isStoreUnavailable, mayHaveBeenApplied, StoreTimeoutError } from "../../../../src/platform/store/sql";

const withCode = (code: string) => Object.assign(new Error(code), { code });

test("refused before it ran, or cancelled by the server: an outage, and nothing was applied", () => {
  for (const code of ["ECONNREFUSED", "CONNECT_TIMEOUT", "ENOTFOUND", "57P03", "57014"]) {
    expect({ code, outage: isStoreUnavailable(withCode(code)), applied: mayHaveBeenApplied(withCode(code)) }).toEqual({ code, outage: true, applied: false });
  }
});

test("an answer lost on its way (a timeout, a connection closed or reset mid-statement): the write may have committed", () => {
  for (const err of [new StoreTimeoutError(12_000), withCode("CONNECTION_CLOSED"), withCode("ECONNRESET"), withCode("57P01"), withCode("08006")]) {
    expect({ err: err.message, outage: isStoreUnavailable(err), applied: mayHaveBeenApplied(err) }).toEqual({ err: err.message, outage: true, applied: true });
  }
});

test("a store error wrapped by a bus subscriber's failure is still an outage; a statement the store refused is neither", () => {
  const wrapped = new AppError("INTERNAL", "a required subscriber of task.failed failed", { cause: new StoreTimeoutError(12_000) });
  expect(causedByStoreOutage(wrapped)).toBe(true);
  expect(mayHaveBeenApplied(wrapped)).toBe(true);
  const refused = withCode("23505");
  expect(causedByStoreOutage(refused)).toBe(false);
  expect(mayHaveBeenApplied(refused)).toBe(false);
});

test("PostgreSQL's disk full (53100): kept and tried again, surely not applied; out of memory and too many connections are not a full disk", () => {
  const full = withCode("53100");
  expect({ full: isDiskFull(full), outage: isStoreUnavailable(full), applied: mayHaveBeenApplied(full) }).toEqual({ full: true, outage: true, applied: false });
  expect(diskFullCause(new AppError("INTERNAL", "wrapped", { cause: full }))).toBe("postgres");
  expect(diskFullCause(Object.assign(new Error("disk"), { errcode: 13 }))).toBe("sqlite");
  for (const code of ["53200", "53300"]) expect({ code, full: isDiskFull(withCode(code)) }).toEqual({ code, full: false });
});
