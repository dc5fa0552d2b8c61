import type { LoaderFunctionArgs } from "@remix-run/node";
import { notFound, requireAdmin } from "~/utils/permissions.server.ts";
import { fileDownload } from "~/utils/csv-download.server.ts";
import { inboundMessage, rawFileName } from "~/domain/feedback/inbound-list.server.ts";

// /admin/inbound/<id>/raw: the message as it arrived, as a file: plain text, never a page.
export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireAdmin(request, "plain text");
  const id = /^\d{1,9}$/.test(params.id ?? "") ? Number(params.id) : null;
  const message = id ? await inboundMessage(id) : null;
  if (!message || message.raw === null) notFound("Nothing that came back has this number, or its raw text was not kept.", "plain text");
  // Sandboxed too: a browser told to show it anyway runs nothing in it.
  return fileDownload(message.raw, { fileName: rawFileName(message), contentType: "text/plain; charset=utf-8" }, { "Content-Security-Policy": "default-src 'none'; sandbox" });
}
