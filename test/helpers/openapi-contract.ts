import { readFileSync } from 'node:fs';
import path from 'node:path';

import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  not?: Schema;
  [keyword: string]: unknown;
}
interface MediaType {
  schema?: Schema;
  /** For problem details: one example per error code the operation can answer, keyed by the code. */
  examples?: Record<string, unknown>;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  style?: string;
  explode?: boolean;
  schema?: Schema;
}
interface RequestBody {
  required?: boolean;
  content: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  parameters?: (Parameter | { $ref: string })[];
  requestBody?: RequestBody | { $ref: string };
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation> & { parameters?: (Parameter | { $ref: string })[] }>;
  components: { schemas: Record<string, Schema> } & Record<string, Record<string, unknown>>;
}

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

export interface OutgoingRequest {
  method: string;
  url: URL;
  /** The headers as they will be sent, any case. */
  headers: Record<string, string>;
  /** The bytes of the body as they will be sent, if any. */
  body?: string | Buffer;
}

const DOCUMENT_ID = 'openapi';
const REQUEST_DOCUMENT_ID = 'openapi-request';
const PROBLEM = 'application/problem+json';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const NUMERIC = /^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * The committed openapi.json as a checker of real traffic, in both directions: each request must be one
 * the document describes (operation, parameters, headers, body) and each response must have a
 * documented status and a body that matches the documented schema, so the document cannot drift from
 * the server.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { pattern: RegExp; template: string; names: string[] }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    // A hint for UIs, not a constraint.
    this.ajv.addFormat('password', true);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
    // The server refuses fields it does not know (forbidNonWhitelisted): a request body may carry only
    // the fields the document lists, or a field the server takes would go undocumented.
    this.ajv.addSchema({
      $id: REQUEST_DOCUMENT_ID,
      components: {
        schemas: Object.fromEntries(
          Object.entries(document.components.schemas).map(([name, schema]) => [name, closed(schema)]),
        ),
      },
    });
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        names: [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]),
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
      }))
      // A literal segment (`/users/me`) wins over a parameter (`/users/{id}`).
      .sort((a, b) => a.names.length - b.names.length);
  }

  static load(): OpenApiContract {
    const file = path.resolve(__dirname, '..', '..', 'openapi.json');
    return new OpenApiContract(JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument);
  }

  /** Problems with a request, or an empty list when it is one the document describes. */
  checkRequest(request: OutgoingRequest): string[] {
    const method = request.method.toLowerCase();
    const route = this.routes.find((candidate) => candidate.pattern.test(request.url.pathname));
    const where = `${request.method.toUpperCase()} ${request.url.pathname}`;
    if (!route) {
      return [`${where}: no such path in openapi.json`];
    }
    const item = this.document.paths[route.template];
    const operation = METHODS.includes(method) ? item[method] : undefined;
    if (!operation) {
      const allowed = METHODS.filter((name) => item[name]).map((name) => name.toUpperCase());
      return [
        `${where}: openapi.json has no ${method.toUpperCase()} ${route.template} (only ${allowed.join(', ')})`,
      ];
    }
    const label = `${operation.operationId} (${method.toUpperCase()} ${route.template})`;
    const parameters = new Map<string, Parameter>();
    for (const entry of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
      const parameter = this.deref<Parameter>(entry);
      parameters.set(
        `${parameter.in}:${parameter.in === 'header' ? parameter.name.toLowerCase() : parameter.name}`,
        parameter,
      );
    }
    const problems = [
      ...this.checkPath(route, request.url.pathname, parameters),
      ...this.checkQuery(request.url.searchParams, parameters),
      ...this.checkHeaders(request.headers, parameters),
      ...this.checkRequestBody(operation, request),
    ];
    return problems.map((problem) => `${label}: ${problem}`);
  }

  /** Problems with a response, or an empty list when it is what the document promises. */
  check(response: ObservedResponse): string[] {
    const where = `${response.method} ${response.path} -> ${response.status}`;
    const route = this.routes.find((candidate) => candidate.pattern.test(response.path));
    const operation = route && this.document.paths[route.template]?.[response.method.toLowerCase()];
    if (!operation) {
      // Unknown routes and methods: the contract still promises problem details.
      if (response.status < 400) {
        return [`${where}: no such operation in openapi.json`];
      }
      return this.checkBody(
        where,
        'ProblemDetails',
        { schema: { $ref: '#/components/schemas/ProblemDetails' } },
        response,
      );
    }
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!documented) {
      return [`${where}: status not documented for ${operation.operationId}`];
    }
    if (!documented.content) {
      return response.text.length === 0 ? [] : [`${where}: documented without a body, but one was sent`];
    }
    const mediaType = response.contentType?.split(';')[0].trim() ?? '';
    const media = documented.content[mediaType];
    if (!media) {
      return [`${where}: content type ${mediaType || '(none)'} not documented for ${operation.operationId}`];
    }
    const listed = media.examples ? Object.keys(media.examples) : undefined;
    const code = (response.body as { code?: unknown } | null)?.code;
    if (listed && typeof code === 'string' && !listed.includes(code)) {
      return [
        `${where}: code ${code} is not among those ${operation.operationId} lists (${listed.join(', ')})`,
      ];
    }
    return this.checkBody(where, `${operation.operationId}:${response.status}:${mediaType}`, media, response);
  }

  private checkPath(
    route: { pattern: RegExp; names: string[] },
    pathname: string,
    parameters: Map<string, Parameter>,
  ): string[] {
    const segments = route.pattern.exec(pathname)!.slice(1);
    return route.names.flatMap((name, index) => {
      const parameter = parameters.get(`path:${name}`);
      if (!parameter) {
        return [`path parameter "${name}" is not declared`];
      }
      let value: string;
      try {
        value = decodeURIComponent(segments[index]);
      } catch {
        return [`path parameter "${name}" = ${show(segments[index])}: not valid percent-encoded UTF-8`];
      }
      return this.checkValue(`path parameter "${name}"`, parameter, [value]);
    });
  }

  private checkQuery(query: URLSearchParams, parameters: Map<string, Parameter>): string[] {
    const problems = [...new Set(query.keys())]
      .filter((name) => !parameters.has(`query:${name}`))
      .map((name) => `query parameter "${name}" is not in the document`);
    for (const parameter of parameters.values()) {
      if (parameter.in !== 'query') {
        continue;
      }
      const values = query.getAll(parameter.name);
      if (values.length === 0) {
        if (parameter.required) {
          problems.push(`query parameter "${parameter.name}" is required`);
        }
        continue;
      }
      problems.push(...this.checkValue(`query parameter "${parameter.name}"`, parameter, values));
    }
    return problems;
  }

  private checkHeaders(headers: Record<string, string>, parameters: Map<string, Parameter>): string[] {
    // As fetch sends them: names in any case, values without surrounding whitespace.
    const sent = new Map(
      Object.entries(headers).map(([name, value]) => [
        name.toLowerCase(),
        value.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, ''),
      ]),
    );
    const problems: string[] = [];
    for (const parameter of parameters.values()) {
      if (parameter.in !== 'header') {
        continue;
      }
      const value = sent.get(parameter.name.toLowerCase());
      if (value === undefined) {
        if (parameter.required) {
          problems.push(`header "${parameter.name}" is required`);
        }
        continue;
      }
      problems.push(...this.checkValue(`header "${parameter.name}"`, parameter, [value]));
    }
    return problems;
  }

  /** A parameter's values (as they stand in the URL or header) read with its schema and style, then validated. */
  private checkValue(label: string, parameter: Parameter, raw: string[]): string[] {
    const schema = this.resolve(parameter.schema ?? {});
    let value: unknown;
    if (schema.type === 'array') {
      const items = this.resolve(schema.items ?? {});
      const style = parameter.style ?? (parameter.in === 'query' ? 'form' : 'simple');
      const separator = { spaceDelimited: ' ', pipeDelimited: '|' }[style] ?? ',';
      const parts =
        style === 'form' && (parameter.explode ?? true)
          ? raw
          : raw.flatMap((entry) => entry.split(separator));
      value = parts.map((part) => coerce(part, items));
    } else if (raw.length > 1) {
      return [`${label} is given ${raw.length} times, but it is not an array`];
    } else {
      value = coerce(raw[0], schema);
    }
    const validate = this.validatorFor(
      `parameter:${parameter.in}:${parameter.name}:${JSON.stringify(parameter.schema)}`,
      parameter.schema ?? {},
      DOCUMENT_ID,
    );
    if (validate(value)) {
      return [];
    }
    return explain(validate.errors, `${label} = ${show(raw.join('&'))}`);
  }

  private checkRequestBody(operation: Operation, request: OutgoingRequest): string[] {
    const requestBody = operation.requestBody && this.deref<RequestBody>(operation.requestBody);
    if (request.body === undefined) {
      return requestBody?.required ? ['a request body is required'] : [];
    }
    if (!requestBody) {
      return ['sends a body, but the operation takes none'];
    }
    const contentType = Object.entries(request.headers).find(
      ([name]) => name.toLowerCase() === 'content-type',
    )?.[1];
    const mediaType = contentType?.split(';')[0].trim().toLowerCase() ?? '';
    const [key, media] =
      Object.entries(requestBody.content).find(([candidate]) => mediaMatches(candidate, mediaType)) ?? [];
    if (!media) {
      return [
        `content type ${mediaType || '(none)'} not documented (only ${Object.keys(requestBody.content).join(', ')})`,
      ];
    }
    if (!/^application\/(.+\+)?json$/.test(mediaType) || !media.schema) {
      return [];
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString());
    } catch {
      return [`body is not valid JSON: ${show(request.body.toString())}`];
    }
    const validate = this.validatorFor(
      `body:${operation.operationId}:${key}`,
      media.schema,
      REQUEST_DOCUMENT_ID,
    );
    return validate(body) ? [] : explain(validate.errors, 'body');
  }

  private checkBody(where: string, key: string, media: MediaType, response: ObservedResponse): string[] {
    if (!media.schema) {
      return [];
    }
    if (response.contentType?.startsWith(PROBLEM) === false && key === 'ProblemDetails') {
      return [`${where}: an error must be ${PROBLEM}, got ${response.contentType}`];
    }
    const validate = this.validatorFor(key, media.schema, DOCUMENT_ID);
    if (validate(response.body)) {
      return [];
    }
    return (validate.errors ?? []).map(
      (error) => `${where}: body${error.instancePath} ${error.message ?? ''}`,
    );
  }

  /** A component that `value` points to (`#/components/parameters/x`), or `value` itself. */
  private deref<T>(value: T | { $ref: string }): T {
    let current: unknown = value;
    for (let depth = 0; depth < 10 && isRef(current); depth += 1) {
      const [, kind, name] = current.$ref.replace(/^#\//, '').split('/');
      current = this.document.components[kind]?.[name];
    }
    return current as T;
  }

  /** A schema with its `$ref`s and single-member `allOf`s followed, to learn its type. */
  private resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; depth < 10; depth += 1) {
      if (current.$ref) {
        current = this.deref<Schema>(current) ?? {};
      } else if (current.allOf?.length === 1 && !current.type) {
        current = current.allOf[0];
      } else {
        break;
      }
    }
    return current;
  }

  private validatorFor(key: string, schema: Schema, documentId: string): ValidateFunction {
    const cacheKey = `${documentId}:${key}`;
    let validate = this.validators.get(cacheKey);
    if (!validate) {
      // Refs in the document point into its components, which live in the schemas registered above.
      const source = documentId === REQUEST_DOCUMENT_ID ? closed(schema) : schema;
      const rebased = JSON.parse(
        JSON.stringify(source).replace(/"#\/components\//g, `"${documentId}#/components/`),
      ) as object;
      validate = this.ajv.compile(rebased);
      this.validators.set(cacheKey, validate);
    }
    return validate;
  }
}

function isRef(value: unknown): value is { $ref: string } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { $ref?: unknown }).$ref === 'string'
  );
}

/** A value from a URL or header as the schema reads it: numbers and booleans from their text. */
function coerce(text: string, schema: Schema): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && NUMERIC.test(text)) {
    return Number(text);
  }
  if (schema.type === 'boolean' && (text === 'true' || text === 'false')) {
    return text === 'true';
  }
  return text;
}

function mediaMatches(documented: string, sent: string): boolean {
  const [type, subtype] = documented.toLowerCase().split('/');
  const [sentType, sentSubtype] = sent.split('/');
  return (type === '*' || type === sentType) && (subtype === '*' || subtype === sentSubtype);
}

/**
 * A copy of a schema whose objects take no property they do not list, unless they say otherwise. (Not
 * meant for an `allOf` of several objects, whose members would refuse each other's fields.)
 */
function closed(schema: Schema): Schema {
  const copy: Schema = { ...schema };
  if (copy.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(copy.properties).map(([name, property]) => [name, closed(property)]),
    );
    copy.additionalProperties ??= false;
  }
  if (typeof copy.additionalProperties === 'object') {
    copy.additionalProperties = closed(copy.additionalProperties);
  }
  if (copy.items) {
    copy.items = closed(copy.items);
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (copy[keyword]) {
      copy[keyword] = copy[keyword].map(closed);
    }
  }
  if (copy.not) {
    copy.not = closed(copy.not);
  }
  return copy;
}

function explain(errors: ErrorObject[] | null | undefined, subject: string): string[] {
  return (errors ?? []).map((error) => {
    const at = error.instancePath ? ` at ${error.instancePath}` : '';
    if (error.keyword === 'additionalProperties') {
      return `${subject}${at}: property ${JSON.stringify(error.params.additionalProperty)} is not in the document`;
    }
    return `${subject}${at}: ${error.message ?? error.keyword}`;
  });
}

function show(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
