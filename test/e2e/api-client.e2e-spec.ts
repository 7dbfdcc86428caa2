import { RegisteredUser, registerUser } from '../factories/users';
import { ApiClient } from '../helpers/api-client';
import { OpenApiContract, OutgoingRequest } from '../helpers/openapi-contract';
import { useTestApp } from '../helpers/test-app';

/** A document small enough to read at a glance, with one operation of each kind the check reads. */
const contract = new OpenApiContract({
  paths: {
    '/things': {
      get: {
        operationId: 'things_list',
        parameters: [
          {
            name: 'limit',
            in: 'query',
            required: false,
            schema: { type: 'integer', minimum: 1, maximum: 100 },
          },
          {
            name: 'tag',
            in: 'query',
            schema: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
          },
        ],
        responses: {},
      },
      post: {
        operationId: 'things_create',
        parameters: [
          { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', maxLength: 8 } },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingInput' } } },
        },
        responses: {},
      },
    },
    '/things/{id}': {
      delete: {
        operationId: 'things_delete',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {},
      },
    },
  },
  components: {
    schemas: {
      Tag: { type: 'string', enum: ['red', 'blue'] },
      ThingInput: {
        type: 'object',
        properties: {
          name: { type: 'string', minLength: 1 },
          tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } },
        },
        required: ['name'],
      },
    },
  },
});

const ID = '01a211c9-1ada-701a-b52d-5e455dc3d299';

function check(
  method: string,
  url: string,
  options: { headers?: Record<string, string>; body?: string } = {},
) {
  const request: OutgoingRequest = {
    method,
    url: new URL(url, 'http://localhost'),
    headers:
      options.body === undefined
        ? { ...options.headers }
        : { 'content-type': 'application/json', ...options.headers },
    body: options.body,
  };
  return contract.checkRequest(request);
}

describe(OpenApiContract.name, () => {
  it('passes requests the document describes', () => {
    expect(check('GET', '/things')).toEqual([]);
    expect(check('GET', '/things?limit=20&tag=red&tag=blue')).toEqual([]);
    expect(
      check('POST', '/things', { headers: { 'idempotency-key': 'k1' }, body: '{"name":"a","tags":["red"]}' }),
    ).toEqual([]);
    expect(check('DELETE', `/things/${ID}`)).toEqual([]);
  });

  it.each([
    ['an unknown path', 'GET', '/nothing', {}, 'GET /nothing: no such path in openapi.json'],
    [
      'a method the path does not have',
      'PUT',
      '/things',
      {},
      'openapi.json has no PUT /things (only GET, POST)',
    ],
    [
      'a path parameter of the wrong format',
      'DELETE',
      '/things/12345',
      {},
      'path parameter "id" = "12345": must match format "uuid"',
    ],
    [
      'a query integer that is not one',
      'GET',
      '/things?limit=1.5',
      {},
      'query parameter "limit" = "1.5": must be integer',
    ],
    ['a query integer out of range', 'GET', '/things?limit=101', {}, 'must be <= 100'],
    ['a query array item outside its enum', 'GET', '/things?tag=red&tag=green', {}, 'query parameter "tag"'],
    [
      'a query parameter given twice that is not an array',
      'GET',
      '/things?limit=1&limit=2',
      {},
      'is given 2 times',
    ],
    [
      'a query parameter the document does not list',
      'GET',
      '/things?sort=name',
      {},
      'query parameter "sort" is not in the document',
    ],
    [
      'a missing required header',
      'POST',
      '/things',
      { body: '{"name":"a"}' },
      'header "Idempotency-Key" is required',
    ],
    [
      'a header over its length',
      'POST',
      '/things',
      { headers: { 'Idempotency-Key': 'k'.repeat(9) }, body: '{"name":"a"}' },
      'must NOT have more than 8 characters',
    ],
    [
      'a missing required body',
      'POST',
      '/things',
      { headers: { 'idempotency-key': 'k' } },
      'a request body is required',
    ],
    [
      'a body against its $ref schema',
      'POST',
      '/things',
      { headers: { 'idempotency-key': 'k' }, body: '{"name":""}' },
      'body at /name: must NOT have fewer than 1 characters',
    ],
    [
      'a body field the schema does not list',
      'POST',
      '/things',
      { headers: { 'idempotency-key': 'k' }, body: '{"name":"a","owner":"me"}' },
      'body: property "owner" is not in the document',
    ],
    [
      'a body that is not JSON',
      'POST',
      '/things',
      { headers: { 'idempotency-key': 'k' }, body: '{"name":' },
      'body is not valid JSON',
    ],
    [
      'a body of an undocumented media type',
      'POST',
      '/things',
      { headers: { 'idempotency-key': 'k', 'content-type': 'text/plain' }, body: 'a' },
      'content type text/plain not documented',
    ],
    [
      'a body sent to an operation that takes none',
      'DELETE',
      `/things/${ID}`,
      { body: '{}' },
      'sends a body, but the operation takes none',
    ],
  ])('refuses %s', (_name, method, url, options, message) => {
    const problems = check(method, url, options);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining(message)]));
  });

  it('names the operation in every problem', () => {
    expect(check('GET', '/things?limit=0&tag=green')).toEqual([
      'things_list (GET /things): query parameter "limit" = "0": must be >= 1',
      'things_list (GET /things): query parameter "tag" = "green" at /0: must be equal to one of the allowed values',
    ]);
  });
});

describe(ApiClient.name, () => {
  const server = useTestApp();
  let user: RegisteredUser;

  beforeAll(async () => {
    user = await registerUser(server.api);
  });

  it('fails an unmarked invalid request before sending it, naming the operation and the problem', async () => {
    await expect(server.api.post('/v1/accounts', { name: '' }, { token: user.accessToken })).rejects.toThrow(
      /Request breaks openapi\.json:\n {2}accounts_create \(POST \/v1\/accounts\): body at \/name: must NOT have fewer than 1 characters/,
    );
    await expect(server.api.get('/v1/no-such-route')).rejects.toThrow(/no such path in openapi\.json/);
    const accounts = await server.api.get('/v1/accounts', { token: user.accessToken });
    expect(accounts.body.data).toEqual([]);
  });

  it('sends a request marked invalid as it is, and still checks the response', async () => {
    const response = await server.api.post(
      '/v1/accounts',
      { name: '' },
      { token: user.accessToken, invalid: 'an empty name, to see the 400' },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors[0].field).toBe('name');
    const unknown = await server.api.get('/v1/no-such-route', { invalid: 'an unknown route' });
    expect(unknown.status).toBe(404);
  });

  it('wants a reason for a mark', async () => {
    await expect(server.api.get('/v1/no-such-route', { invalid: ' ' })).rejects.toThrow(/say why/);
  });
});
