// autocannon 9 ships no types and @types/autocannon is not installed: just what bench/ uses.
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export type RequestContext = Record<string, unknown>;
  export type RequestParams = { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer };

  export type Request = RequestParams & {
    /** Called before each request is built; its result is what is sent. */
    setupRequest?: (request: RequestParams, context: RequestContext) => RequestParams | null;
    /** Called with each complete response, with the context of the request it answers. */
    onResponse?: (status: number, body: string, context: RequestContext, headers: Record<string, string>) => void;
  };

  export type Options = RequestParams & {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    requests?: Request[];
  };

  export type Result = {
    duration: number;
    errors: number;
    timeouts: number;
    resets: number;
    non2xx: number;
    "2xx": number;
    statusCodeStats: Record<string, { count: number }>;
    totalRequests: number;
    totalCompletedRequests: number;
  };

  export type Instance = EventEmitter &
    PromiseLike<Result> & {
      stop(): void;
      on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): Instance;
      on(event: "tick", listener: (counts: { counter: number; bytes: number }) => void): Instance;
    };

  export default function autocannon(options: Options): Instance;
}
