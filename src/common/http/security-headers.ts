import type { IncomingMessage, ServerResponse } from 'node:http';

import type { FastifyRequest } from 'fastify';
import helmet from 'helmet';

type Headers = Record<string, string>;

/**
 * Helmet's security headers for our policy, in two sets: over https the policy asks browsers to upgrade
 * insecure requests, over plain http it does not (else a page such as /docs opened by a LAN address
 * fetches its assets over https, which fails, and stays blank). Helmet runs once per set, here, against
 * a recorder, and each response gets its set in one call: no middleware (a dozen nested calls, each
 * validating its header again) on every request.
 */
export class SecurityHeaders {
  private readonly http = record(false);
  private readonly https = record(true);

  /** The set for a request: https as the socket or, behind a trusted proxy, X-Forwarded-Proto says. */
  of(request: FastifyRequest): Headers {
    return request.protocol === 'https' ? this.https : this.http;
  }
}

function record(secure: boolean): Headers {
  const headers: Headers = {};
  const recorder = {
    setHeader: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  };
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        upgradeInsecureRequests: secure ? [] : null,
      },
    },
  })({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) {
      throw new Error('helmet failed', { cause: error });
    }
  });
  return headers;
}
