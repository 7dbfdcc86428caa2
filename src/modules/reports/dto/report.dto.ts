import { ApiProperty, ApiSchema } from '@nestjs/swagger';

import {
  REPORT_ACTIONS,
  REPORT_REASONS,
  REPORT_STATUSES,
  ReportAction,
  ReportReason,
  ReportStatus,
} from '../report-enums';

/** A user's report of a post, open until an admin resolves it. */
@ApiSchema({ name: 'Report' })
export class ReportDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  postId!: string;

  /** The user who reported the post. */
  @ApiProperty({ format: 'uuid' })
  reporterId!: string;

  @ApiProperty({ enum: REPORT_REASONS, enumName: 'ReportReason' })
  reason!: ReportReason;

  /** The reporter's note; null when they gave none. */
  @ApiProperty({ type: String, nullable: true })
  note!: string | null;

  @ApiProperty({ enum: REPORT_STATUSES, enumName: 'ReportStatus' })
  status!: ReportStatus;

  /** What the admin decided; null while open. */
  @ApiProperty({ enum: REPORT_ACTIONS, enumName: 'ReportAction', nullable: true })
  action!: ReportAction | null;

  /** The admin's note; null while open, or when they gave none. */
  @ApiProperty({ type: String, nullable: true })
  resolutionNote!: string | null;

  /** The admin who resolved it; null while open, or once that admin's user is deleted. */
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  resolvedById!: string | null;

  /** When it was resolved; null while open. */
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt!: Date | null;

  createdAt!: Date;
}
