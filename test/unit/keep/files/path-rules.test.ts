// Lexical path rules for both flavours: Windows paths (drive letters, both separators, case-insensitive
// comparison, UNC only when allowed, devices, streams, trailing dots) and POSIX paths on non-Windows hosts.
import { describe, expect, test } from "bun:test";
import { AppError } from "../../../../src/platform/core/errors";
import { isUnder, normaliseRequestPath, type PathFlavour } from "../../../../src/keep/files/path-rules";

function status(raw: string, flavour: PathFlavour, allowUnc = false): number | string {
  try {
    return normaliseRequestPath(raw, "p", flavour, allowUnc);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).status;
  }
}

describe("win32 flavour", () => {
  test("normalises both separators and dot segments", () => {
    expect(status("C:/Data/QVD/./x/../file.qvd", "win32")).toBe("C:\\Data\\QVD\\file.qvd");
    expect(status("d:\\data\\", "win32")).toBe("d:\\data");
    expect(status("C:\\", "win32")).toBe("C:\\");
    expect(status("C:/Data\\mixed/sep", "win32")).toBe("C:\\Data\\mixed\\sep");
  });

  test("compares case-insensitively and by whole names", () => {
    expect(isUnder("c:\\data\\QVD\\x.qvd", "C:\\Data\\qvd", "win32")).toBe(true);
    expect(isUnder("C:\\Data\\qvd", "c:\\data\\QVD", "win32")).toBe(true);
    expect(isUnder("C:\\Data\\qvd-evil\\x", "C:\\Data\\qvd", "win32")).toBe(false);
    expect(isUnder("D:\\Data\\qvd\\x", "C:\\Data\\qvd", "win32")).toBe(false);
    expect(isUnder("C:\\anything", "C:\\", "win32")).toBe(true);
  });

  test("refuses relative, drive-relative and root-relative paths", () => {
    for (const p of ["data\\x", "C:data\\x", "\\data\\x", "c:", "..\\x"]) expect(status(p, "win32")).toBe(400);
  });

  test("UNC only when allowed, and then needs server and share", () => {
    expect(status("\\\\srv\\share\\x.qvd", "win32")).toBe(403);
    expect(status("//srv/share/x.qvd", "win32")).toBe(403);
    expect(status("\\\\srv\\share\\x.qvd", "win32", true)).toBe("\\\\srv\\share\\x.qvd");
    expect(isUnder("\\\\SRV\\Share\\x.qvd", "\\\\srv\\share", "win32")).toBe(true);
    expect(status("\\\\srv", "win32", true)).toBe(400);
  });

  test("refuses namespace prefixes, devices, streams, trailing dots and reserved characters", () => {
    const refused = [
      "\\\\?\\C:\\Windows",
      "\\\\.\\COM1",
      "//?/C:/x",
      "\\??\\C:\\x",
      "C:\\data\\CON",
      "C:\\data\\con.txt",
      "C:\\data\\Nul",
      "C:\\data\\COM9.log",
      "C:\\data\\lpt1.",
      "C:\\data\\AUX .csv",
      "C:\\data\\x.txt:stream",
      "C:\\data\\x.txt::$DATA",
      "C:\\data\\secret.txt.",
      "C:\\data\\secret.txt ",
      "C:\\data\\...\\x",
      "C:\\data\\a*b",
      "C:\\data\\a?b",
      "C:\\data\\a|b",
      "C:\\data\\a<b",
      "C:\\data\\x\0.txt",
    ];
    for (const p of refused) expect([p, status(p, "win32")]).toEqual([p, 400]);
    // Names that merely contain a device name are fine.
    expect(status("C:\\data\\icon.png", "win32")).toBe("C:\\data\\icon.png");
    expect(status("C:\\data\\console\\x", "win32")).toBe("C:\\data\\console\\x");
  });

  test("dot-dot is resolved lexically, so a path climbing out is no longer under the root", () => {
    const p = normaliseRequestPath("C:\\Data\\qvd\\..\\..\\Windows\\win.ini", "p", "win32", false);
    expect(p).toBe("C:\\Windows\\win.ini");
    expect(isUnder(p, "C:\\Data\\qvd", "win32")).toBe(false);
  });
});

describe("posix flavour", () => {
  test("normalises and compares case-sensitively", () => {
    expect(status("/srv/qvd/./a/../b.qvd", "posix")).toBe("/srv/qvd/b.qvd");
    expect(status("/srv/qvd/", "posix")).toBe("/srv/qvd");
    expect(isUnder("/srv/QVD/x", "/srv/qvd", "posix")).toBe(false);
    expect(isUnder("/srv/qvd2/x", "/srv/qvd", "posix")).toBe(false);
    expect(isUnder("/srv/qvd/x", "/", "posix")).toBe(true);
  });

  test("Windows forms are malformed on a non-Windows host", () => {
    for (const p of ["C:\\x", "C:/x", "\\\\srv\\share", "//srv/share/x", "/srv/qvd\\..\\x", "x/y", ""]) expect([p, status(p, "posix", true)]).toEqual([p, 400]);
  });

  test("devices and streams are refused on every host so a path means the same everywhere", () => {
    for (const p of ["/srv/qvd/CON", "/srv/qvd/nul.txt", "/srv/qvd/a.txt:s", "/srv/qvd/a\nb", "/srv/qvd/a\0"])
      expect([p, status(p, "posix")]).toEqual([p, 400]);
  });
});
