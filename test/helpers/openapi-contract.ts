import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId: string;
  responses: Record<string, ResponseObject>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, object> };
}

export interface ObservedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

const DOCUMENT_ID = 'openapi';
const PROBLEM = 'application/problem+json';

/**
 * The committed openapi.json as a checker of real responses: each one must have a documented status
 * and a body that matches the documented schema, so the document cannot drift from the server.
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly routes: { pattern: RegExp; template: string; params: number }[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: document.components });
    this.routes = Object.keys(document.paths)
      .map((template) => ({
        template,
        params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
      }))
      // A literal segment (`/users/me`) wins over a parameter (`/users/{id}`).
      .sort((a, b) => a.params - b.params);
  }

  static load(): OpenApiContract {
    const file = path.resolve(__dirname, '..', '..', 'openapi.json');
    return new OpenApiContract(JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument);
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
    return this.checkBody(where, `${operation.operationId}:${response.status}:${mediaType}`, media, response);
  }

  private checkBody(where: string, key: string, media: MediaType, response: ObservedResponse): string[] {
    if (!media.schema) {
      return [];
    }
    if (response.contentType?.startsWith(PROBLEM) === false && key === 'ProblemDetails') {
      return [`${where}: an error must be ${PROBLEM}, got ${response.contentType}`];
    }
    const validate = this.validatorFor(key, media.schema);
    if (validate(response.body)) {
      return [];
    }
    return (validate.errors ?? []).map(
      (error) => `${where}: body${error.instancePath} ${error.message ?? ''}`,
    );
  }

  private validatorFor(key: string, schema: object): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // Refs in the document point into its components, which live in the schema registered above.
      const rebased = JSON.parse(
        JSON.stringify(schema).replace(/"#\/components\//g, `"${DOCUMENT_ID}#/components/`),
      ) as object;
      validate = this.ajv.compile(rebased);
      this.validators.set(key, validate);
    }
    return validate;
  }
}
