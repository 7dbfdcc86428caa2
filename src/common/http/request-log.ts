/** A request as pino-http's standard serializer gives it. */
interface SerializedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  headers: Record<string, unknown>;
}

/** What a log line keeps of a request: never its headers, where credentials travel. */
export function requestLogFields(request: SerializedRequest): Record<string, unknown> {
  return {
    id: request.id,
    method: request.method,
    url: request.url,
    remoteAddress: request.remoteAddress,
    userAgent: request.headers['user-agent'],
  };
}
