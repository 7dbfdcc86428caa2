import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentUser, SessionCaller } from '@/common/auth/auth-user';
import { Anonymous } from '@/common/auth/public.decorator';
import { Client, ClientInfo } from '@/common/http/client-info';
import { NoStore } from '@/common/http/no-store';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import { AuthRateLimit } from '@/common/throttling/throttling';

import { Audit, AuditContext } from '../audit/audit-context';
import { InvalidTokenError, WrongPasswordError } from '../auth/auth.errors';
import { EmailTakenError } from '../users/users.errors';
import { MailRequestAcceptedDto } from './dto/recovery.dto';
import { EmailChangeDto, EmailTokenDto, ForgotPasswordDto, PasswordResetDto } from './dto/recovery-input.dto';
import { RecoveryService } from './recovery.service';

const MAIL_LIMITS =
  'Mails asked for are limited per address and per client (MAIL_ADDRESS_LIMIT, MAIL_CLIENT_LIMIT): past a limit ' +
  'the answer is the same and no mail is sent.';

/** The same answer whatever happens next: it tells nothing about the address. */
function accepted(message: string): MailRequestAcceptedDto {
  return { message };
}

@ApiTags('auth')
@NotIdempotent()
@NoStore()
@Controller('v1/auth')
export class RecoveryController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post('password/forgot')
  @HttpCode(202)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Ask for a password reset link by mail',
    description:
      'The same answer, in about the same time, for every address. When an account has it, a mail with ' +
      '`<APP_URL>/reset-password?token=...` is sent; the link works once, for 30 minutes. ' +
      MAIL_LIMITS,
    operationId: 'auth_forgot_password',
  })
  @ApiAcceptedResponse({ type: MailRequestAcceptedDto, description: 'Accepted, whatever the address' })
  async forgotPassword(
    @Body() body: ForgotPasswordDto,
    @Client() client: ClientInfo,
  ): Promise<MailRequestAcceptedDto> {
    await this.recovery.forgotPassword(body.email, client);
    return accepted('If an account has this address, a mail with a link is on its way.');
  }

  @Post('password/reset')
  @HttpCode(204)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Set a new password with a reset link: revokes every session',
    description:
      'A used, expired or unknown token is 400 `INVALID_TOKEN`. A notice is mailed to the account.',
    operationId: 'auth_reset_password',
  })
  @ApiNoContentResponse({ description: 'The password is set and every session revoked' })
  @ApiProblems(new InvalidTokenError())
  async resetPassword(@Body() body: PasswordResetDto, @Audit() audit: AuditContext): Promise<void> {
    await this.recovery.resetPassword(body, audit);
  }

  @Post('email/verify')
  @HttpCode(204)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Verify my email address with the link mailed to it',
    description:
      'From `<APP_URL>/verify-email?token=...` (24 hours). A used, expired or unknown token is 400 `INVALID_TOKEN`.',
    operationId: 'auth_verify_email',
  })
  @ApiNoContentResponse({ description: 'The address is verified (`emailVerified: true`)' })
  @ApiProblems(new InvalidTokenError())
  async verifyEmail(@Body() body: EmailTokenDto): Promise<void> {
    await this.recovery.verifyEmail(body.token);
  }

  @Post('email/verification')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Mail me a new verification link',
    description: `Nothing is sent when the address is verified already. ${MAIL_LIMITS}`,
    operationId: 'auth_request_email_verification',
  })
  @ApiAcceptedResponse({ type: MailRequestAcceptedDto, description: 'Accepted' })
  async requestVerification(
    @CurrentUser() actor: SessionCaller,
    @Client() client: ClientInfo,
  ): Promise<MailRequestAcceptedDto> {
    await this.recovery.requestVerification(actor, client);
    return accepted('If the address is not verified yet, a mail with a link is on its way.');
  }

  @Post('email/confirm')
  @HttpCode(204)
  @Anonymous()
  @AuthRateLimit()
  @ApiOperation({
    summary: 'Change my email address with the link mailed to the new one',
    description:
      "From `<APP_URL>/confirm-email?token=...` (24 hours): the address becomes the account's, verified. " +
      'A used, expired or unknown token is 400 `INVALID_TOKEN`; 409 `EMAIL_TAKEN` when another account took the address meanwhile.',
    operationId: 'auth_confirm_email_change',
  })
  @ApiNoContentResponse({ description: 'The address is changed' })
  @ApiProblems(new InvalidTokenError(), new EmailTakenError())
  async confirmEmailChange(@Body() body: EmailTokenDto): Promise<void> {
    await this.recovery.confirmEmailChange(body.token);
  }
}

@ApiTags('users')
@NotIdempotent()
@NoStore()
@Controller('v1/users')
export class EmailChangeController {
  constructor(private readonly recovery: RecoveryService) {}

  @Post('me/email')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask to change my email address: a link goes to the new one',
    description:
      'Needs the current password (403 `WRONG_PASSWORD`). An address another account has is 409 `EMAIL_TAKEN`, as at ' +
      'registration. A link `<APP_URL>/confirm-email?token=...` goes to the new address and a notice to the current ' +
      `one; nothing changes until the link is used. ${MAIL_LIMITS}`,
    operationId: 'users_request_email_change',
  })
  @ApiAcceptedResponse({ type: MailRequestAcceptedDto, description: 'Accepted' })
  @ApiProblems(new WrongPasswordError(), new EmailTakenError())
  async requestEmailChange(
    @CurrentUser() actor: SessionCaller,
    @Body() body: EmailChangeDto,
    @Client() client: ClientInfo,
  ): Promise<MailRequestAcceptedDto> {
    await this.recovery.requestEmailChange(actor, body, client);
    return accepted('A mail with a link is on its way to the new address.');
  }
}
