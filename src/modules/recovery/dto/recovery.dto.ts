import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The answer to a request for a mail: the same whether or not a mail is sent. */
@ApiSchema({ name: 'MailRequestAccepted' })
export class MailRequestAcceptedDto {
  @ApiProperty({ example: 'If an account has this address, a mail with a link is on its way.' })
  message!: string;
}
