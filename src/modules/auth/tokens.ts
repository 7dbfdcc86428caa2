import {
  createHash,
  createHmac,
  createSecretKey,
  KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

import { InvalidAccessTokenError } from '@/common/auth/auth.errors';
import type { UserRole } from '@/common/auth/roles';
import { AppConfig } from '@/config/config.module';

export const ACCESS_TOKEN_TYPE = 'access';

/** The claims of an access token. */
export interface AccessClaims {
  sub: string;
  role: UserRole;
  sid: string;
  typ: typeof ACCESS_TOKEN_TYPE;
  exp?: number;
}

/**
 * The HS256 key of access tokens, made once. Given the secret as a string, jsonwebtoken first tries to
 * read it as a PEM public key on every verification and signature, and only builds the secret key
 * after that attempt throws, on every authenticated request (bench/RESULTS.md, bypass table).
 */
export function accessTokenKey(config: AppConfig): KeyObject {
  return createSecretKey(config.get('JWT_SECRET', { infer: true }), 'utf8');
}

/** Short-lived HS256 JWTs naming the user, role and session. */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  get ttlSeconds(): number {
    return this.config.get('JWT_ACCESS_TTL_SECONDS', { infer: true });
  }

  sign(userId: string, role: UserRole, sessionId: string): Promise<string> {
    const claims: AccessClaims = { sub: userId, role, sid: sessionId, typ: ACCESS_TOKEN_TYPE };
    return this.jwt.signAsync(claims, { expiresIn: this.ttlSeconds });
  }

  /**
   * The claims of `token` when this service signed it (HS256 only) and it has not expired, as the
   * bearer strategy checks it; for credentials that do not come in a header (the realtime handshake).
   */
  async verify(token: string): Promise<Partial<AccessClaims>> {
    try {
      return await this.jwt.verifyAsync<Partial<AccessClaims>>(token, { algorithms: ['HS256'] });
    } catch (error) {
      throw new InvalidAccessTokenError(
        error instanceof Error && error.name === 'TokenExpiredError' ? 'expired' : 'invalid',
      );
    }
  }
}

export interface RefreshTokenParts {
  sessionId: string;
  counter: number;
}

const SIGNATURE_BYTES = 16;

/**
 * Opaque refresh tokens `<session>.<counter>.<secret>.<signature>`: 32 random bytes bound to a
 * session and its rotation counter. Only a SHA-256 of the whole token is stored. The signature lets
 * the service tell a token it really issued earlier (reuse: revoke the session) from a forgery.
 */
@Injectable()
export class RefreshTokens {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    this.key = createHmac('sha256', config.get('JWT_SECRET', { infer: true }))
      .update('refresh-token')
      .digest();
  }

  issue(sessionId: string, counter: number): { token: string; hash: string } {
    const body = `${sessionId}.${counter}.${randomBytes(32).toString('base64url')}`;
    const token = `${body}.${this.sign(body).toString('base64url')}`;
    return { token, hash: RefreshTokens.hash(token) };
  }

  /** The session and counter of a token this service issued; null for anything else. */
  parse(token: string): RefreshTokenParts | null {
    const parts = token.split('.');
    if (parts.length !== 4) {
      return null;
    }
    const [sessionId, counter, , signature] = parts;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.sign(parts.slice(0, 3).join('.'));
    if (given.length !== expected.length || !timingSafeEqual(given, expected) || !/^\d+$/.test(counter)) {
      return null;
    }
    return { sessionId, counter: Number(counter) };
  }

  static hash(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  private sign(body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, SIGNATURE_BYTES);
  }
}
