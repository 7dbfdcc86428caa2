import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  /** Path of the offending field, such as `email` or `detail.size`. */
  @ApiProperty({ example: 'email' })
  field!: string;

  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** An error, as RFC 9457 problem details. */
@ApiSchema({ name: 'ProblemDetails' })
export class ProblemDetailsDto {
  /** A URI that identifies the kind of problem. */
  @ApiProperty({ example: 'urn:problem-type:validation-failed' })
  type!: string;

  @ApiProperty({ example: 'Bad Request' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request is not valid: see errors for each field.' })
  detail!: string;

  /** The path of the request that failed. */
  @ApiProperty({ example: '/v1/auth/register' })
  instance!: string;

  /** Stable machine-readable code. */
  @ApiProperty({ example: 'VALIDATION_FAILED' })
  code!: string;

  /** Id of the request, as in the `X-Request-Id` response header and the server logs. */
  @ApiProperty({ example: '0195f1a4-6c3e-7d0a-9c55-1b2f3c4d5e6f' })
  requestId!: string;

  /** One entry per invalid field (validation errors only). */
  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
