import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { AuthUser, CurrentUser } from '@/common/auth/auth-user';
import { UserRole } from '@/common/auth/roles';
import { Roles } from '@/common/auth/roles.decorator';
import { createdOrOk } from '@/common/http/created-or-ok';
import { Located } from '@/common/http/location';
import { NotIdempotent } from '@/common/idempotency/idempotency';
import { Idempotent } from '@/common/idempotency/idempotent.decorator';
import { ApiPageResponse } from '@/common/openapi/page-response.decorator';
import { ApiProblems } from '@/common/openapi/problem-responses.decorator';
import type { PageDto } from '@/common/pagination/page.dto';
import { IdParam } from '@/common/pipes/parse-id.pipe';

import { Audit, AuditContext } from '../audit/audit-context';
import { PostNotFoundError } from '../posts/posts.errors';
import { ReportDto } from './dto/report.dto';
import { CreateReportDto, ResolveReportDto } from './dto/report-input.dto';
import { ListReportsQueryDto } from './dto/report-query.dto';
import { ReportAlreadyResolvedError, ReportNotFoundError } from './reports.errors';
import { ReportsService } from './reports.service';

/** Under `posts`; the admin routes are also under `admin` (`@Roles`), as the users' admin routes are. */
@ApiTags('posts')
@Controller('v1')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Post('posts/:id/reports')
  @Idempotent()
  @Located((report) => `/v1/admin/reports/${String(report.id)}`)
  @ApiOperation({
    summary: 'Report a post to the moderators',
    description:
      'For signed-in people (not API keys), on a post they can see. While the caller has an open report ' +
      'of the post, that report is the answer (200, unchanged); once it is resolved they may report again.',
    operationId: 'posts_reports_create',
  })
  @ApiCreatedResponse({ type: ReportDto, description: 'The new report, open' })
  @ApiOkResponse({ type: ReportDto, description: 'The caller’s open report of this post, unchanged' })
  @ApiProblems(new PostNotFoundError())
  async create(
    @CurrentUser() actor: AuthUser,
    @IdParam() id: string,
    @Body() body: CreateReportDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportDto> {
    return createdOrOk(reply, await this.reports.reportPost(actor, id, body));
  }

  @Get('admin/reports')
  @Roles(UserRole.Admin)
  @ApiOperation({
    summary: 'Reports of posts (admin)',
    description:
      'Open reports oldest first (the moderation queue, the default), or resolved ones newest report first.',
    operationId: 'admin_reports_list',
  })
  @ApiPageResponse(ReportDto, 'A page of reports')
  list(@CurrentUser() actor: AuthUser, @Query() query: ListReportsQueryDto): Promise<PageDto<ReportDto>> {
    return this.reports.listReports(actor, query);
  }

  @Get('admin/reports/:id')
  @Roles(UserRole.Admin)
  @ApiOperation({ summary: 'One report (admin)', operationId: 'admin_reports_get' })
  @ApiOkResponse({ type: ReportDto, description: 'The report' })
  @ApiProblems(new ReportNotFoundError())
  get(@CurrentUser() actor: AuthUser, @IdParam() id: string): Promise<ReportDto> {
    return this.reports.getReport(actor, id);
  }

  @Post('admin/reports/:id/resolve')
  @Roles(UserRole.Admin)
  @Idempotent()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Resolve an open report (admin)',
    description:
      'Final: a report is resolved once. `DISMISS` answers this report only. `HIDE_POST` hides the post ' +
      '(404 to everyone but its author, who sees `hidden: true`, and admins) and resolves the other open ' +
      'reports of the post with the same decision. Each resolved report is recorded as a ' +
      '`report.resolved` audit event.',
    operationId: 'admin_reports_resolve',
  })
  @ApiOkResponse({ type: ReportDto, description: 'The resolved report' })
  @ApiProblems(new ReportNotFoundError(), new ReportAlreadyResolvedError())
  resolve(
    @CurrentUser() actor: AuthUser,
    @Audit() audit: AuditContext,
    @IdParam() id: string,
    @Body() body: ResolveReportDto,
  ): Promise<ReportDto> {
    return this.reports.resolveReport(actor, audit, id, body);
  }

  @Post('admin/posts/:id/unhide')
  @Roles(UserRole.Admin)
  // Idempotent by nature: showing a post that is shown changes nothing.
  @NotIdempotent()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Show a hidden post again (admin)',
    description:
      'Undoes `HIDE_POST`: the post is in public reads and lists again; its reports stay resolved. ' +
      'Recorded as a `post.unhidden` audit event. A post that is not hidden is left as is (204). The ' +
      "posts of a suspended author stay withheld until the author's suspension is lifted.",
    operationId: 'admin_posts_unhide',
  })
  @ApiNoContentResponse({ description: 'The post is no longer hidden' })
  @ApiProblems(new PostNotFoundError())
  async unhide(
    @CurrentUser() actor: AuthUser,
    @Audit() audit: AuditContext,
    @IdParam() id: string,
  ): Promise<void> {
    await this.reports.unhidePost(actor, audit, id);
  }
}
