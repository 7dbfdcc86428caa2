import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { PageQueryDto } from '@/common/pagination/page-query.dto';

import { REPORT_STATUSES, ReportStatus } from '../report-enums';

export class ListReportsQueryDto extends PageQueryDto {
  /** `open` (the moderation queue, oldest first) or `resolved` (newest report first). */
  @ApiPropertyOptional({ enum: REPORT_STATUSES, enumName: 'ReportStatus', default: ReportStatus.Open })
  @IsOptional()
  @IsIn(REPORT_STATUSES, { message: `status must be one of ${REPORT_STATUSES.join(', ')}` })
  status: ReportStatus = ReportStatus.Open;
}
