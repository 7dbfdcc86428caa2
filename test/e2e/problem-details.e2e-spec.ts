import { useTestApp } from '../helpers/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('problem details and request ids', () => {
  const server = useTestApp({ BODY_LIMIT: '2048' });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await server.api.get('/v1/nothing-here?x=1', { invalid: 'an unknown route' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: 'urn:problem-type:not-found',
      title: 'Not Found',
      status: 404,
      detail: 'No route matches GET /v1/nothing-here?x=1.',
      instance: '/v1/nothing-here',
      code: 'NOT_FOUND',
      requestId: response.headers.get('x-request-id'),
    });
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const response = await server.api.post('/v1/anything', undefined, {
      rawBody: '{"email": ',
      invalid: 'malformed JSON',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ status: 400, code: 'MALFORMED_JSON', instance: '/v1/anything' });
  });

  it('answers a JSON content type without a body as malformed', async () => {
    const response = await server.api.post('/v1/anything', undefined, {
      rawBody: '',
      headers: { 'content-type': 'application/json' },
      invalid: 'an empty JSON body',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('refuses prototype poisoning in a body', async () => {
    const response = await server.api.post('/v1/anything', undefined, {
      rawBody: '{"__proto__": {"admin": true}}',
      invalid: 'prototype poisoning',
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'MALFORMED_JSON' });
  });

  it('answers an oversized body with a 413 problem', async () => {
    const response = await server.api.post(
      '/v1/anything',
      { text: 'x'.repeat(4096) },
      { invalid: 'an oversized body' },
    );
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers a body of another media type with a 415 problem', async () => {
    const response = await server.api.post('/v1/auth/login', undefined, {
      rawBody: '<xml/>',
      headers: { 'content-type': 'application/xml' },
      invalid: 'a body of another media type',
    });
    expect(response.status).toBe(415);
    expect(response.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('generates a request id when none is given and echoes it', async () => {
    const first = await server.api.get('/health/live');
    const second = await server.api.get('/health/live');
    expect(first.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
  });

  it('keeps a well-formed request id from the caller', async () => {
    const response = await server.api.get('/nope', {
      headers: { 'x-request-id': 'trace-abc.123:4' },
      invalid: 'an unknown route',
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123:4');
    expect(response.body).toMatchObject({ requestId: 'trace-abc.123:4' });
  });

  it('replaces a request id that could forge log lines', async () => {
    const response = await server.api.get('/health/live', { headers: { 'x-request-id': 'a b\tc' } });
    expect(response.headers.get('x-request-id')).toMatch(UUID);
    const long = await server.api.get('/health/live', { headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(long.headers.get('x-request-id')).toMatch(UUID);
  });
});
