// Butler-compatible file routes with Butler's request bodies: PUT /v4/filecopy, PUT /v4/filemove,
// DELETE /v4/filedelete, POST /v4/createdir, POST /v4/createdirqvd. Status codes: 201/204 success (a copy
// onto an existing file without overwrite is a 201 that copied nothing, as in Butler), 400 malformed,
// 403 not allowed, 404 source missing, 409 move onto an existing file without overwrite.
// Its schemas are built on first use (z.lazy): a start that never needs them does not pay for building them.
import { auditActorOf } from "../../platform/http/audit-actor";
import { z } from "zod";
import { butlerBoolean } from "../../platform/core/butler-values";
import type { Router } from "../../platform/http/route";
import type { FileOps } from "./file-ops";
import { MAX_PATH_CHARS } from "./path-rules";

/** Butler's Fastify coerced "true"/"false" strings (its CopyFile and MoveFile subs send them); so do we. */
const BoolishSchema = butlerBoolean;
const PathSchema = z.lazy(() => z.string().min(1).max(MAX_PATH_CHARS));

const CopyBodySchema = z.lazy(() =>
  z.strictObject({
    fromFile: PathSchema.describe("Absolute path of the file to copy."),
    toFile: PathSchema.describe("Absolute path of the copy (full file name)."),
    overwrite: BoolishSchema.default(false).describe("Replace toFile if it exists; otherwise an existing toFile stays as it is (201 with copied: false)."),
    preserveTimestamp: BoolishSchema.default(false).describe("Give the copy the source's modification time."),
  }),
);
const MoveBodySchema = z.lazy(() =>
  z.strictObject({
    fromFile: PathSchema.describe("Absolute path of the file to move."),
    toFile: PathSchema.describe("Absolute target path (full file name)."),
    overwrite: BoolishSchema.default(false).describe("Replace toFile if it exists; otherwise 409."),
  }),
);
const DeleteBodySchema = z.lazy(() => z.strictObject({ deleteFile: PathSchema.describe("Absolute path of the file to delete.") }));
const DirBodySchema = z.lazy(() => z.strictObject({ directory: PathSchema.describe("Absolute path of the directory to create (with parents).") }));
const QvdDirBodySchema = z.lazy(() => z.strictObject({ directory: PathSchema.describe("Directory to create, relative to files.qvdRoot.") }));

const errors = {
  400: { description: "malformed request or path (NUL, device name, alternate data stream, relative path …)" },
  403: { description: "path outside the allowed folders, through a link leading outside, or refused by policy" },
};

export function registerFileRoutes(router: Router, ops: FileOps): void {
  const tags = ["files"];
  router.route(
    {
      method: "put",
      path: "/v4/filecopy",
      summary: "Copy a file between allowed folders (files.copy pairs)",
      tags,
      scope: "files",
      butlerFlag: "fileCopy",
      body: CopyBodySchema,
      responses: {
        201: {
          description: "copied, or (toFile exists, overwrite false) left alone: `copied` says which; echoes the normalised request",
          schema: () =>
            z.object({
              fromFile: z.string(),
              toFile: z.string(),
              overwrite: z.boolean(),
              preserveTimestamp: z.boolean(),
              copied: z.boolean(),
              message: z.string().optional(),
            }),
        },
        ...errors,
        404: { description: "fromFile does not exist" },
        409: { description: "toFile is a directory" },
      },
    },
    async (c, { body }) => c.json(await ops.copy(body, auditActorOf(c)), 201),
  );

  router.route(
    {
      method: "put",
      path: "/v4/filemove",
      summary: "Move a file between allowed folders (files.move pairs)",
      tags,
      scope: "files",
      butlerFlag: "fileMove",
      body: MoveBodySchema,
      responses: {
        201: {
          description: "moved; echoes the normalised request",
          schema: () => z.object({ fromFile: z.string(), toFile: z.string(), overwrite: z.boolean() }),
        },
        ...errors,
        404: { description: "fromFile does not exist" },
        409: { description: "toFile exists and overwrite is false, or toFile is a directory" },
      },
    },
    async (c, { body }) => c.json(await ops.move(body, auditActorOf(c)), 201),
  );

  router.route(
    {
      method: "delete",
      path: "/v4/filedelete",
      summary: "Delete a file below an allowed folder (files.delete)",
      description: "A symbolic link is removed itself, never its target. Directories only with files.allowDirectoryDelete.",
      tags,
      scope: "files",
      butlerFlag: "fileDelete",
      body: DeleteBodySchema,
      responses: { 204: { description: "deleted" }, ...errors, 404: { description: "deleteFile does not exist" } },
    },
    async (c, { body }) => {
      await ops.remove(body.deleteFile, auditActorOf(c));
      return c.body(null, 204);
    },
  );

  router.route(
    {
      method: "post",
      path: "/v4/createdir",
      summary: "Create a directory (with parents) below an allowed folder (files.createDir)",
      tags,
      scope: "files",
      butlerFlag: "createDir",
      body: DirBodySchema,
      responses: {
        201: { description: "created or already there", schema: () => z.object({ directory: z.string() }) },
        ...errors,
        409: { description: "a file with that name exists" },
      },
    },
    async (c, { body }) => c.json(await ops.createDir(body.directory, auditActorOf(c)), 201),
  );

  router.route(
    {
      method: "post",
      path: "/v4/createdirqvd",
      summary: "Create a directory (with parents) below files.qvdRoot",
      tags,
      scope: "files",
      butlerFlag: "createDirQVD",
      body: QvdDirBodySchema,
      responses: {
        201: { description: "created or already there; echoes the body", schema: () => z.object({ directory: z.string() }) },
        ...errors,
        409: { description: "a file with that name exists" },
      },
    },
    async (c, { body }) => c.json(await ops.createQvdDir(body.directory, auditActorOf(c)), 201),
  );
}
