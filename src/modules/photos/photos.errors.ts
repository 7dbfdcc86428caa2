import {
  ConflictError,
  ContentTooLargeError,
  InvalidInputError,
  NotFoundError,
  UnsupportedMediaTypeError,
} from '@/common/errors/domain-error';

export class PhotoNotFoundError extends NotFoundError {
  constructor() {
    super('PHOTO_NOT_FOUND', 'The photo does not exist.');
  }
}

export class UnsupportedImageTypeError extends UnsupportedMediaTypeError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', 'A photo must be a JPEG, PNG or WebP image (SVG is not accepted).');
  }
}

export class NotMultipartError extends UnsupportedMediaTypeError {
  constructor() {
    super('UNSUPPORTED_MEDIA_TYPE', 'A photo is uploaded as multipart/form-data, in a part named file.');
  }
}

export class InvalidImageError extends InvalidInputError {
  constructor() {
    super('INVALID_IMAGE', 'The file could not be read as an image: it is damaged or incomplete.');
  }
}

export class PhotoTooLargeError extends ContentTooLargeError {
  constructor() {
    super('PAYLOAD_TOO_LARGE', 'A photo may be at most 10 MB.');
  }
}

export class TooManyPixelsError extends ContentTooLargeError {
  constructor() {
    super('TOO_MANY_PIXELS', 'A photo may have at most 50 megapixels.');
  }
}

export class TooManyPhotosError extends ConflictError {
  constructor() {
    super('TOO_MANY_PHOTOS', 'A post has at most 30 photos: delete one first.');
  }
}
