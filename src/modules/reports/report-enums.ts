/** Why a user reports a post, and what became of a report (the values of the database enums). */
export const ReportReason = { Spam: 'SPAM', Fraud: 'FRAUD', Offensive: 'OFFENSIVE', Other: 'OTHER' } as const;
export type ReportReason = (typeof ReportReason)[keyof typeof ReportReason];
export const REPORT_REASONS = Object.values(ReportReason);

export const ReportStatus = { Open: 'open', Resolved: 'resolved' } as const;
export type ReportStatus = (typeof ReportStatus)[keyof typeof ReportStatus];
export const REPORT_STATUSES = Object.values(ReportStatus);

/** An admin's answer to a report: nothing to do, or the post withheld from everyone but its author. */
export const ReportAction = { Dismiss: 'DISMISS', HidePost: 'HIDE_POST' } as const;
export type ReportAction = (typeof ReportAction)[keyof typeof ReportAction];
export const REPORT_ACTIONS = Object.values(ReportAction);
