import type { ReportDto } from './dto/report.dto';
import type { ReportRecord } from './reports.repository';

export function toReportDto(report: ReportRecord): ReportDto {
  return {
    id: report.id,
    postId: report.postId,
    reporterId: report.reporterId,
    reason: report.reason,
    note: report.note,
    status: report.status,
    action: report.action,
    resolutionNote: report.resolutionNote,
    resolvedById: report.resolvedById,
    resolvedAt: report.resolvedAt,
    createdAt: report.createdAt,
  };
}
