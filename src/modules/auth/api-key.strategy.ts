import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';

import type { ApiKeyCaller } from '@/common/auth/auth-user';

import { ApiKeysService } from '../accounts/api-keys.service';

/** `X-API-Key: <secret>`: an integrator acting for an account (never from the query string). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, 'api-key') {
  constructor(private readonly keys: ApiKeysService) {
    super({ header: 'X-API-Key', prefix: '' }, false);
  }

  validate(secret: string): Promise<ApiKeyCaller> {
    return this.keys.authenticate(secret);
  }
}
