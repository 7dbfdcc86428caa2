import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';

import { Omittable } from '@/common/errors/validation';

import { REPORT_ACTIONS, REPORT_REASONS, ReportAction, ReportReason } from '../report-enums';

export const REPORT_NOTE_MAX = 1000;

@ApiSchema({ name: 'ReportCreate' })
export class CreateReportDto {
  @ApiProperty({ enum: REPORT_REASONS, enumName: 'ReportReason', example: ReportReason.Fraud })
  @IsIn(REPORT_REASONS, { message: `reason must be one of ${REPORT_REASONS.join(', ')}` })
  reason!: ReportReason;

  /** What the moderators should know, in the reporter's words. */
  @ApiPropertyOptional({ maxLength: REPORT_NOTE_MAX, example: 'Asks for a deposit before any visit.' })
  @Omittable()
  @IsString()
  @MaxLength(REPORT_NOTE_MAX)
  note?: string;
}

@ApiSchema({ name: 'ReportResolve' })
export class ResolveReportDto {
  /** `HIDE_POST` also hides the post from everyone but its author and admins. */
  @ApiProperty({ enum: REPORT_ACTIONS, enumName: 'ReportAction', example: ReportAction.HidePost })
  @IsIn(REPORT_ACTIONS, { message: `action must be one of ${REPORT_ACTIONS.join(', ')}` })
  action!: ReportAction;

  /** Why, for the other moderators (the reporter does not see it). */
  @ApiPropertyOptional({ maxLength: REPORT_NOTE_MAX, example: 'Deposit scam, confirmed by two reports.' })
  @Omittable()
  @IsString()
  @MaxLength(REPORT_NOTE_MAX)
  note?: string;
}
