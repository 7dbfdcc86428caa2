/** A method the path does not answer. */
function methodNotAllowed(method: string, allowed: string[]): Problem {
  return {
    status: 405,
    code: 'METHOD_NOT_ALLOWED',
    detail: `${method} is not allowed here; this path answers ${allowed.join(', ')}.`,
  };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';

import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';

import { AppModule, AppOptions } from './app.module';
import { MalformedJsonError } from './common/errors/domain-error';
import { INVALID_URL, type Problem, URI_TOO_LONG } from './common/errors/problem';
import { writeProblem } from './common/errors/problem-details.filter';
import { assertTextRule } from './common/errors/text-rule';
import { AllowedMethods } from './common/http/allowed-methods';
import { answerConditionally } from './common/http/conditional';
import { addLocation } from './common/http/location';
import { isNoStore } from './common/http/no-store';
import { discardOversizedBody } from './common/http/oversized-body';
import { REQUEST_ID_HEADER, requestIdOf } from './common/http/request-id';
import { logRequest } from './common/http/request-log';
import { SecurityHeaders } from './common/http/security-headers';
import { hasInvalidQueryEncoding } from './common/http/url-encoding';
import { Lifecycle } from './common/lifecycle/lifecycle';
import { AppConfig } from './config/config.module';
import { loadEnvironment } from './config/environment';
import { refuseUntilMigrated } from './database/migration-gate';
import { HttpMetrics } from './metrics/http-metrics';
import { buildOpenApiDocument } from './openapi/openapi.document';
import { RealtimeAdapter } from './realtime/realtime.adapter';

export const VERSION = (
  JSON.parse(readFileSync(path.resolve(__dirname, '..', 'package.json'), 'utf8')) as { version: string }
).version;

function trustProxy(value: string): boolean | string[] {
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  return value.split(',').map((entry) => entry.trim());
}

function frameworkProblem(error: { code?: string }): Problem {
  return error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? URI_TOO_LONG : INVALID_URL;
}

/**
 * Builds the application exactly as it serves: Fastify, security headers, CORS, request ids, problem
 * details for every error (also those raised before routing), metrics and the OpenAPI document.
 */
export async function createApp(options: AppOptions = {}): Promise<NestFastifyApplication> {
  const env = loadEnvironment(options);
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT,
    trustProxy: trustProxy(env.TRUST_PROXY),
    genReqId: requestIdOf,
    requestIdHeader: false,
    // Refusals Fastify makes before routing (a URL that is not valid UTF-8, a path segment over the
    // length limit) are problem documents too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header(REQUEST_ID_HEADER, request.id);
      writeProblem(reply, frameworkProblem(error), request.url.split('?')[0], String(request.id));
    },
    // Shutdown drains connections before Fastify closes (common/lifecycle/graceful-shutdown.ts): a
    // request that still arrives is served, not refused.
    return503OnClosing: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    // A failed start (a module that cannot initialise) is thrown to the caller, which says why and exits
    // 1, not aborted with a core dump.
    abortOnError: false,
    // JSON only, through the parser registered below.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Socket.IO on the HTTP port (src/realtime), with the Redis streams adapter when REDIS_URL is set.
  app.useWebSocketAdapter(new RealtimeAdapter(app));
  configureApp(app);
  return app;
}

export function configureApp(app: NestFastifyApplication): void {
  const config = app.get(AppConfig);
  const metrics = app.get(HttpMetrics);
  const lifecycle = app.get(Lifecycle);
  const fastify = app.getHttpAdapter().getInstance();

  const headers = new SecurityHeaders();
  const allowed = new AllowedMethods();
  fastify.addHook('onRoute', (route) => allowed.add(route.method, route.url));
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers.of(request)).header(REQUEST_ID_HEADER, request.id);
    if (isNoStore(request)) {
      void reply.header('cache-control', 'no-store');
    }
    if (lifecycle.draining) {
      void reply.header('connection', 'close');
    }
    // The router checks the path's encoding (frameworkErrors); the query's is checked here.
    if (hasInvalidQueryEncoding(request.url)) {
      writeProblem(reply, INVALID_URL, request.url.split('?')[0], String(request.id));
      return;
    }
    if (request.routeOptions.url === undefined) {
      // No route for this method and path: a 405 when the path has others (RFC 9110 15.5.6).
      const path = request.url.split('?')[0];
      const methods = allowed.of(path);
      if (methods.length > 0) {
        void reply.header('allow', methods.join(', '));
        writeProblem(reply, methodNotAllowed(request.method, methods), path, String(request.id));
        return;
      }
    }
    done();
  });
  refuseUntilMigrated(app); // an onRequest hook only while the database lacks migrations (schema-state.ts)
  // A 201 says where the created resource lives (common/http/location.ts); a conditional route's answer
  // carries its entity tag, or is a 304 (common/http/conditional.ts).
  fastify.addHook('onSend', (request, reply, payload, done) => {
    addLocation(request, reply, payload);
    done(null, answerConditionally(request, reply, payload));
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observe(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    logRequest(PinoLogger.root, request, reply);
    done();
  });
  // A body over the limit: its 413 waits for the rest of the body (common/http/oversized-body.ts).
  const bodyLimit = config.get('BODY_LIMIT', { infer: true });
  fastify.addHook('onError', (request, _reply, error, done) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      discardOversizedBody(request.raw, bodyLimit, done);
    } else {
      done();
    }
  });
  // Text with NUL or unpaired surrogates, anywhere in a request, is refused before validation.
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      assertTextRule(request.query, request.params, request.body);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  // Fastify's own JSON parser (safe against prototype poisoning), failing with a code of ours.
  const parseJson = fastify.getDefaultJsonParser('error', 'ignore');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parseJson(request, String(body), (error, value) =>
      error ? done(new MalformedJsonError()) : done(null, value),
    ),
  );
  // Multipart for the photo upload route only, and the /media file server: PhotoUploads, at init.

  const origins = config.get('CORS_ORIGINS', { infer: true });
  if (origins) {
    app.enableCors({
      origin: origins === '*' ? true : origins.split(',').map((origin) => origin.trim()),
      exposedHeaders: [REQUEST_ID_HEADER, 'retry-after', 'etag', 'location'],
    });
  }
  setUpDocs(app);
}

/** The AsyncAPI document of the realtime events, as committed at the repository's root. */
const ASYNCAPI_DOCUMENT = path.resolve(__dirname, '..', 'asyncapi.yaml');

function setUpDocs(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, VERSION), {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'Listings API',
  });
  const asyncApi = readFileSync(ASYNCAPI_DOCUMENT, 'utf8');
  app
    .getHttpAdapter()
    .getInstance()
    .get('/docs/asyncapi.yaml', (_request, reply) => {
      void reply.header('content-type', 'application/yaml; charset=utf-8').send(asyncApi);
    });
}
