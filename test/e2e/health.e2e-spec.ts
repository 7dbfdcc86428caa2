import { METRICS_TOKEN, startTestApp, useTestApp } from '../helpers/test-app';

describe('operations', () => {
  const server = useTestApp();

  it('answers liveness without touching dependencies', async () => {
    const response = await server.api.get('/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: {} });
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('is ready when the database answers', async () => {
    const response = await server.api.get('/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: { status: 'up' } } });
  });

  it('serves metrics only to the metrics token', async () => {
    for (const options of [
      {},
      { token: 'not-the-metrics-token' },
      { headers: { authorization: 'Basic eDp5' } },
    ]) {
      const refused = await server.api.get('/metrics', options);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('UNAUTHENTICATED');
    }
    expect((await server.api.get('/metrics', { token: METRICS_TOKEN })).status).toBe(200);
  });

  it('does not serve metrics at all without a METRICS_TOKEN', async () => {
    const bare = await startTestApp({ METRICS_TOKEN: undefined });
    try {
      expect((await bare.api.get('/metrics', { token: METRICS_TOKEN })).status).toBe(404);
    } finally {
      await bare.close();
    }
  });

  it('counts requests per route pattern and status in Prometheus format', async () => {
    await server.api.get('/health/live');
    await server.api.get('/no/such/route', { invalid: 'an unknown route' });
    const response = await server.api.get('/metrics', { token: METRICS_TOKEN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(response.text).toMatch(
      /http_requests_total\{method="GET",route="\/health\/live",status_code="200"\} \d+/,
    );
    expect(response.text).toMatch(
      /http_requests_total\{method="GET",route="unmatched",status_code="404"\} \d+/,
    );
    expect(response.text).toMatch(
      /http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/health\/live"/,
    );
    expect(response.text).not.toContain('/no/such/route');
  });

  it('counts every request once, as the latency histogram does', async () => {
    const count = async (metric: string) => {
      const text = (await server.api.get('/metrics', { token: METRICS_TOKEN })).text;
      const line = new RegExp(
        `^${metric}\\{method="GET",route="/health/live",status_code="200"\\} (\\d+)$`,
        'm',
      );
      return Number(line.exec(text)?.[1] ?? 0);
    };
    const before = await count('http_requests_total');
    for (let i = 0; i < 3; i += 1) {
      await server.api.get('/health/live');
    }
    expect(await count('http_requests_total')).toBe(before + 3);
    expect(await count('http_request_duration_seconds_count')).toBe(before + 3);
  });

  it('serves Swagger UI at /docs', async () => {
    const response = await fetch(new URL('/docs', server.api.baseUrl));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger-ui');
  });

  it('sends security headers on every answer, errors included', async () => {
    for (const path of ['/health/live', '/v1/no-such-route']) {
      const response = await server.api.get(path, {
        invalid: path === '/v1/no-such-route' ? 'an unknown route' : undefined,
      });
      expect(Object.fromEntries(response.headers)).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-resource-policy': 'same-origin',
        'x-xss-protection': '0',
      });
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("img-src 'self' data:");
      expect(response.headers.get('x-request-id')).toBeTruthy();
    }
  });
});
