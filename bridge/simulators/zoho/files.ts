/**
 * Zoho File System uploads (`POST /crm/v8/files`, scope ZohoCRM.Files.CREATE), as attachments of associated e-mails
 * use them (zoho-crm-api.md §4; zoho.com/crm/developer/docs/api/v8/upload-files-to-zfs.html):
 * - multipart/form-data, one `file` part per file, at most 10 per call and 20 MB each;
 * - answer `{"data":[{"code":"SUCCESS","details":{"name","id"},"message":"<name> uploaded Succeessfully",
 *   "status":"success"}]}` (the docs' spelling), one entry per file in order; the id is an opaque encrypted string;
 * - an associated e-mail may list uploaded ids in `attachments` (unknown id → INVALID_DATA), together at most 10 MB
 *   (FILE_SIZE_EXCEEDS).
 * Chosen where the docs are silent: a body that is not multipart or has no `file` part answers the documented
 * `failure_in_attachment_handling`; more than 10 files `LIMIT_EXCEEDED {limit: 10}`; a file over 20 MB
 * `FILE_SIZE_EXCEEDS`.
 */
import { randomBytes } from "node:crypto";
import type { ApiContext, ApiResult } from "./context.js";
import type { ZohoOrg } from "./org.js";
import { ZohoApiError } from "./wire.js";

const FILES_PER_CALL = 10;
const MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Total of one associated e-mail's attachments. */
export const MAX_EMAIL_ATTACHMENTS_BYTES = 10 * 1024 * 1024;

export interface StoredFile {
  readonly id: string;
  readonly name: string;
  readonly contentType: string;
  readonly content: Buffer;
}

/** Uploaded files per org (the file store belongs to the org, like Zoho's ZFS). */
const stores = new WeakMap<ZohoOrg, Map<string, StoredFile>>();

export function filesOf(org: ZohoOrg): Map<string, StoredFile> {
  let files = stores.get(org);
  if (!files) {
    files = new Map();
    stores.set(org, files);
  }
  return files;
}

const attachmentFailure = () =>
  new ZohoApiError(
    400,
    "failure_in_attachment_handling",
    "Problem in uploading attachment. Kindly upload the file properly",
  );

export async function uploadFiles(org: ZohoOrg, ctx: ApiContext): Promise<ApiResult> {
  const contentType = String(ctx.headers["content-type"] ?? "");
  if (!contentType.startsWith("multipart/form-data")) throw attachmentFailure();
  let parts: File[];
  try {
    const form = await new Response(new Uint8Array(ctx.raw), { headers: { "content-type": contentType } }).formData();
    parts = form.getAll("file").flatMap((part) => (typeof part === "string" ? [] : [part]));
  } catch {
    throw attachmentFailure();
  }
  if (parts.length === 0) throw attachmentFailure();
  if (parts.length > FILES_PER_CALL) {
    throw new ZohoApiError(400, "LIMIT_EXCEEDED", "the number of files exceeds the limit", { limit: FILES_PER_CALL });
  }
  const oversize = parts.find((part) => part.size > MAX_FILE_BYTES);
  if (oversize) {
    throw new ZohoApiError(400, "FILE_SIZE_EXCEEDS", "the file size exceeds 20 MB", { name: oversize.name });
  }
  const store = filesOf(org);
  const data = [];
  for (const part of parts) {
    const file: StoredFile = {
      id: randomBytes(32).toString("hex"),
      name: part.name,
      contentType: part.type || "application/octet-stream",
      content: Buffer.from(await part.arrayBuffer()),
    };
    store.set(file.id, file);
    data.push({
      code: "SUCCESS",
      details: { name: file.name, id: file.id },
      message: `${file.name} uploaded Succeessfully`,
      status: "success",
    });
  }
  return { status: 200, body: { data } };
}
