import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import { DomainError, RequestValidationError } from '@/common/errors/domain-error';
import { addRouteConfig } from '@/common/http/route-config';

import { NotMultipartError, PhotoTooLargeError } from './photos.errors';
import { LocalMediaStorage } from './storage/local-media-storage';
import { IMMUTABLE_CACHE_CONTROL, MediaStorage } from './storage/media-storage';

/** The largest photo upload, in bytes: 10 MB (docs/api/photos.md#uploads). */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

const MULTIPART_CONFIG = { multipart: true };

/** The one kind of route that takes `multipart/form-data`; every other route refuses it with a 415. */
export const AcceptsMultipart = (): MethodDecorator => addRouteConfig(MULTIPART_CONFIG);

const ONE_FILE = [{ field: 'file', message: 'send exactly one part: a file named file' }];

/**
 * Multipart uploads and, with local storage, the `/media` file server, registered by the photos
 * themselves as the application starts: after `configureApp` has set up the body parsers (it removes
 * every content-type parser, so a parser added before would be lost), before the server listens.
 */
@Injectable()
export class PhotoUploads implements OnModuleInit {
  constructor(
    private readonly http: HttpAdapterHost,
    private readonly storage: MediaStorage,
  ) {}

  onModuleInit(): void {
    // An application context without HTTP (a command) has no adapter.
    const adapter = this.http.httpAdapter as HttpAdapterHost['httpAdapter'] | undefined;
    if (adapter) {
      registerPhotoUploads(adapter.getInstance<FastifyInstance>(), this.storage);
    }
  }
}

function registerPhotoUploads(fastify: FastifyInstance, storage: MediaStorage): void {
  // Bounded here and again per part while streaming (readPhotoFile); nothing else is buffered.
  void fastify.register(fastifyMultipart, {
    limits: { fileSize: MAX_PHOTO_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 100 },
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const route = request.routeOptions.config as { multipart?: boolean };
    done(request.isMultipart() && route.multipart !== true ? new NotJsonError() : undefined);
  });
  if (storage instanceof LocalMediaStorage) {
    void fastify.register(fastifyStatic, {
      root: storage.directory,
      prefix: '/media/',
      decorateReply: false,
      index: false,
      dotfiles: 'deny',
      cacheControl: false,
      setHeaders: (reply) => {
        void reply.header('cache-control', IMMUTABLE_CACHE_CONTROL);
        // Images are embedded by other sites' pages (helmet's default is same-origin).
        void reply.header('cross-origin-resource-policy', 'cross-origin');
      },
    });
  }
}

/** A route that takes JSON, sent multipart. */
class NotJsonError extends DomainError {
  readonly kind = 'unsupported_media_type';

  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type: multipart/form-data');
  }
}

/**
 * The bytes of the request's one part, a file named `file`, read to at most MAX_PHOTO_BYTES (413 past
 * it: the rest is not read). Refuses a request that is not multipart, or has any other part.
 */
export async function readPhotoFile(request: FastifyRequest): Promise<Buffer> {
  if (!request.isMultipart()) {
    throw new NotMultipartError();
  }
  try {
    let file: Buffer | undefined;
    for await (const part of request.parts()) {
      if (part.type !== 'file' || part.fieldname !== 'file' || file) {
        throw new RequestValidationError(ONE_FILE);
      }
      file = await part.toBuffer();
    }
    if (!file) {
      throw new RequestValidationError(ONE_FILE);
    }
    return file;
  } catch (error) {
    throw uploadError(error);
  }
}

function uploadError(error: unknown): unknown {
  if (error instanceof DomainError) {
    return error;
  }
  const code = (error as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return new PhotoTooLargeError();
  }
  // Limits of parts, files and fields, a malformed or truncated form: not one file as required.
  return new RequestValidationError(ONE_FILE);
}
