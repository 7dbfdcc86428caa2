import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

import type { SessionCaller } from '@/common/auth/auth-user';
import { AppConfig } from '@/config/config.module';

import { AuthService } from './auth.service';
import { type AccessClaims, accessTokenKey } from './tokens';

/** Bearer access tokens: HS256 only (no `none`, no other algorithm), expiry enforced. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    config: AppConfig,
    private readonly auth: AuthService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its types say string or Buffer).
      secretOrKey: accessTokenKey(config) as unknown as Buffer,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessClaims>): Promise<SessionCaller> {
    return this.auth.authenticate(claims);
  }
}
