import type { FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';

import { logRequest } from './request-log';

function loggerAt(level: pino.Level): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

function exchange(url: string, statusCode = 200): [FastifyRequest, FastifyReply] {
  const request = {
    id: 'req-1',
    method: 'GET',
    url,
    ip: '203.0.113.7',
    headers: { 'user-agent': 'probe/1.0', authorization: 'Bearer secret-token', cookie: 'sid=secret' },
  };
  const reply = { statusCode, elapsedTime: 3.14159 };
  return [request as unknown as FastifyRequest, reply as unknown as FastifyReply];
}

describe('logRequest', () => {
  it('writes one line that identifies the request, with its status and time', () => {
    const { logger, lines } = loggerAt('info');

    logRequest(logger, ...exchange('/v1/posts?city=Lisbon', 201));

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      requestId: 'req-1',
      method: 'GET',
      url: '/v1/posts?city=Lisbon',
      statusCode: 201,
      responseTime: 3.1,
      remoteAddress: '203.0.113.7',
      userAgent: 'probe/1.0',
    });
  });

  it('never writes headers, where credentials travel', () => {
    const { logger, lines } = loggerAt('info');

    logRequest(logger, ...exchange('/v1/users/me'));

    expect(JSON.stringify(lines)).not.toMatch(/secret/);
  });

  it('leaves out health probes and metrics scrapes', () => {
    const { logger, lines } = loggerAt('info');

    logRequest(logger, ...exchange('/health/ready'));
    logRequest(logger, ...exchange('/metrics'));
    logRequest(logger, ...exchange('/healthy-homes'));

    expect(lines.map((line) => line.url)).toEqual(['/healthy-homes']);
  });

  it('writes nothing when info is off', () => {
    const { logger, lines } = loggerAt('warn');

    logRequest(logger, ...exchange('/v1/posts', 500));

    expect(lines).toEqual([]);
  });
});
