using System.Security.Claims;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Branches;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>The body of <c>POST /api/reports/weekly</c> (both optional: the current week; the caller's scope).</summary>
public sealed record WeeklyReportRequest(string? Week, string? Branch);

/// <summary>
/// <c>GET /api/reports/weekly?week=&amp;branch=</c> (the archived report), <c>GET /api/reports/weekly/files/{file}</c>,
/// <c>POST /api/reports/weekly</c> (build now, no mail) and the recipients' administration (HqAdmin).
/// </summary>
public static class ReportEndpoints
{
    private static readonly Role[] Readers = [Role.RiskManager, Role.BranchDirector, Role.HqCreditDept, Role.Auditor, Role.HqAdmin];

    public static void MapReportEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports").WithTags("Reports");
        group.MapGet("/weekly", GetAsync).RequireRoles(Readers)
            .WithSummary("An archived weekly NPL report (week=yyyy-Www, default the last finished week; branch= or the union for HQ).")
            .Produces<ArchivedReport>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/weekly/files/{file}", FileAsync).RequireRoles(Readers)
            .WithSummary("A file of an archived report: report.html, trend.png, categories.png, ledger.xlsx, ledger.csv (week=, branch=).");
        group.MapPost("/weekly", BuildAsync).RequireRoles(Readers)
            .WithSummary("Build a report now, without mailing it: the current week (to date) unless week= names a finished one.")
            .Produces<ArchivedReport>().ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        group.MapGet("/recipients", async (RecipientStore store, CancellationToken ct) => Results.Ok(await store.ListAsync(ct)))
            .RequireRoles(Role.HqAdmin).WithSummary("Who gets the weekly report, by role and scope; paused ones included.");
        group.MapPut("/recipients/{email}", PutRecipientAsync).RequireRoles(Role.HqAdmin)
            .WithSummary("Add or change a recipient: name, role (RiskManager, HqLeader: scope union or a branch; BranchDirector: a branch), scope, paused.")
            .Produces<Recipient>().ProducesProblem(400);
        group.MapDelete("/recipients/{email}", async (string email, RecipientStore store, CancellationToken ct) =>
                await store.DeleteAsync(email, ct) ? Results.NoContent() : ApiProblems.NotFound($"{email} is not a recipient."))
            .RequireRoles(Role.HqAdmin).WithSummary("Remove a recipient (pausing keeps them).");
    }

    private static async Task<IResult> GetAsync(ClaimsPrincipal principal, WeeklyReportService reports, BranchStore branches, BusinessClock clock,
        string? week, string? branch, CancellationToken cancellationToken)
    {
        var (w, scope, problem) = await ResolveAsync(principal, branches, clock, week, branch, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return await reports.FindAsync(w!.Value, scope!, finalOnly: false, cancellationToken) is { } found
            ? Results.Json(found, TableNplHistory.Json)
            : ApiProblems.NotFound($"There is no report of {w} for {scope} yet (POST /api/reports/weekly builds one).");
    }

    private static async Task<IResult> FileAsync(ClaimsPrincipal principal, WeeklyReportService reports, BranchStore branches, BusinessClock clock,
        string file, string? week, string? branch, CancellationToken cancellationToken)
    {
        if (!WeeklyReportAssembler.ContentTypes.TryGetValue(file, out var type))
        {
            return ApiProblems.BadRequest("file", $"is one of {string.Join(", ", WeeklyReportAssembler.ContentTypes.Keys)}.");
        }

        var resolved = await ResolveAsync(principal, branches, clock, week, branch, cancellationToken);
        if (resolved.Problem is { } problem)
        {
            return problem;
        }

        if (await reports.FindAsync(resolved.Week!.Value, resolved.Scope!, finalOnly: false, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"There is no report of {resolved.Week} for {resolved.Scope} yet.");
        }

        var blob = reports.Container.GetBlobClient(WeeklyReportService.Folder(found.Week, found.Scope, found.Final) + file);
        var content = await blob.DownloadContentAsync(cancellationToken);
        return Results.File(content.Value.Content.ToArray(), type, file == WeeklyReportAssembler.Html ? null : $"{found.Scope}-{found.Week}-{file}");
    }

    private static async Task<IResult> BuildAsync(ClaimsPrincipal principal, WeeklyReportService reports, BranchStore branches, BusinessClock clock,
        WeeklyReportRequest? request, CancellationToken cancellationToken)
    {
        var current = ReportWeek.Of(clock.Today);
        var resolved = await ResolveAsync(principal, branches, clock, request?.Week ?? current.ToString(), request?.Branch, cancellationToken);
        if (resolved.Problem is { } problem)
        {
            return problem;
        }

        var week = resolved.Week!.Value;
        var final = week < current;
        var built = await reports.ArchiveAsync(week, [resolved.Scope!], final, cancellationToken);
        return Results.Json(built[resolved.Scope!], TableNplHistory.Json, statusCode: StatusCodes.Status201Created);
    }

    /// <summary>Week (default: the last finished one; not in the future) and scope (the caller's branch unless they see all; union for HQ).</summary>
    private static async Task<(ReportWeek? Week, string? Scope, IResult? Problem)> ResolveAsync(ClaimsPrincipal principal, BranchStore branches, BusinessClock clock,
        string? week, string? branch, CancellationToken cancellationToken)
    {
        var user = principal.ToCreditUser();
        var today = clock.Today;
        ReportWeek w;
        if (week is null)
        {
            w = ReportWeek.EndedBefore(today);
        }
        else if (!ReportWeek.TryParse(week, out w))
        {
            return (null, null, ApiProblems.BadRequest("week", "is an ISO week written yyyy-Www, e.g. 2026-W47."));
        }
        else if (w.Monday > today)
        {
            return (null, null, ApiProblems.BadRequest("week", $"{w} has not started yet (today is {today:yyyy-MM-dd}, in {ReportWeek.Of(today)})."));
        }

        if (branch is null or "")
        {
            return (w, user.SeesAllBranches ? WeeklyReportBuilder.Union : user.Branch.Value, null);
        }

        if (branch.Equals(WeeklyReportBuilder.Union, StringComparison.OrdinalIgnoreCase) || branch == BranchId.Headquarters.Value)
        {
            return user.SeesAllBranches ? (w, WeeklyReportBuilder.Union, null) : (null, null, ApiProblems.OutsideBranch(BranchId.Headquarters));
        }

        if (!BranchId.TryParse(branch, out var id))
        {
            return (null, null, ApiProblems.BadRequest("branch", "is a branch id (1-32 letters, digits or '-') or 'union'."));
        }

        if (!user.CanAccess(id))
        {
            return (null, null, ApiProblems.OutsideBranch(id));
        }

        return await branches.FindAsync(id, cancellationToken) is null
            ? (null, null, ApiProblems.NotFound($"There is no branch {id}."))
            : (w, id.Value, null);
    }

    private static async Task<IResult> PutRecipientAsync(string email, RecipientRequest? request, ClaimsPrincipal principal, RecipientStore store, BranchStore branches,
        TimeProvider time, CancellationToken cancellationToken)
    {
        if (!RecipientStore.IsValidAddress(email))
        {
            return ApiProblems.BadRequest("email", $"'{email}' is not a valid email address.");
        }

        if (request?.Role is not { } role || !Enum.IsDefined(role))
        {
            return ApiProblems.BadRequest("role", "is RiskManager, HqLeader or BranchDirector.");
        }

        var scope = string.IsNullOrWhiteSpace(request.Scope) ? (role == RecipientRole.BranchDirector ? null : WeeklyReportBuilder.Union) : request.Scope.Trim();
        if (scope is null || (role == RecipientRole.BranchDirector && scope == WeeklyReportBuilder.Union))
        {
            return ApiProblems.BadRequest("scope", "a BranchDirector receives the report of a branch: name it.");
        }

        if (scope != WeeklyReportBuilder.Union && (!BranchId.TryParse(scope, out var id) || id.IsHeadquarters || await branches.FindAsync(id, cancellationToken) is null))
        {
            return ApiProblems.BadRequest("scope", $"'{scope}' is neither 'union' nor a known branch.");
        }

        if (request.Name is { Length: > 100 })
        {
            return ApiProblems.BadRequest("name", "is at most 100 characters.");
        }

        var saved = await store.SaveAsync(new Recipient(email, request.Name?.Trim() ?? email, role, scope, request.Paused ?? false,
            principal.ToCreditUser().Id, time.GetUtcNow()), cancellationToken);
        return Results.Ok(saved);
    }
}
