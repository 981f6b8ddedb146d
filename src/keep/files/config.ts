// Config of the whitelisted file operations: which folders load scripts may copy/move between, delete in
// and create directories under. Without this section the file routes do not exist.
// Built on first use (lazySection): a config that leaves the block out never builds its schema.
import { z } from "zod";
import { lazySection } from "../../platform/config/lazy-section";

const dirSchema = () => z.string().min(1).max(4096);
const PairSchema = z.lazy(() =>
  z
    .strictObject({
      from: dirSchema().describe("Source folder; files anywhere below it may be read."),
      to: dirSchema().describe("Target folder; files anywhere below it may be written."),
    })
    .describe("A source → target folder pair: a request must match both folders of the same pair."),
);

export const FilesSchema = lazySection(() =>
  z
    .strictObject({
      copy: z.array(PairSchema).default([]).describe("Folder pairs for PUT /v4/filecopy (Butler: fileCopyApprovedDirectories)."),
      move: z.array(PairSchema).default([]).describe("Folder pairs for PUT /v4/filemove (Butler: fileMoveApprovedDirectories)."),
      delete: z.array(dirSchema()).default([]).describe("Folders below which DELETE /v4/filedelete may remove files (Butler: fileDeleteApprovedDirectories)."),
      createDir: z.array(dirSchema()).default([]).describe("Folders below which POST /v4/createdir may create directories (Butler allowed anywhere)."),
      qvdRoot: dirSchema().optional().describe("Root of POST /v4/createdirqvd; its `directory` is relative to this (Butler: configDirectories.qvdPath)."),
      allowUnc: z.boolean().default(false).describe("Accept UNC paths (\\\\server\\share\\…) on Windows. Off by default."),
      allowDirectoryDelete: z.boolean().default(false).describe("Let /v4/filedelete remove a whole directory tree. Off by default: only files are deleted."),
    })
    .describe("Whitelisted file copy/move/delete and directory creation for load scripts. Relative folders resolve against the config file's folder."),
);

export type FilesConfig = z.infer<typeof FilesSchema>;
