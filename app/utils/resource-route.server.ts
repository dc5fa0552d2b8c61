// Resource routes (downloads, framed documents) have no error page: Remix answers a `data()`
// thrown by a shared guard such as notFound() with "Unexpected Server Error". These answer in
// plain text with the guard's own status and message instead.

export function plainTextAnswer(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(`${message}\n`, {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff", ...headers },
  });
}

/** Runs a resource route's work; a thrown data({ message }, { status }) becomes a plain-text answer. Responses (redirects) pass. */
export async function answeringInPlainText(work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    const thrown = error as { type?: unknown; data?: { message?: unknown }; init?: { status?: number } | null };
    if (thrown && thrown.type === "DataWithResponseInit" && thrown.init?.status) {
      const message = typeof thrown.data?.message === "string" ? thrown.data.message : "That did not work.";
      return plainTextAnswer(thrown.init.status, message);
    }
    throw error;
  }
}
