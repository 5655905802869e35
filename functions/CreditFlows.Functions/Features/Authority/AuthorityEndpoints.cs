using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>Body of <c>POST /drafts</c> and <c>PUT /drafts/{v}</c>; an exported JSON file is a valid body (its <c>version</c> becomes <c>basedOn</c>).</summary>
public sealed record DraftRequest(DateOnly? EffectiveFrom, string? Note, string? BasedOn, string? Version, IReadOnlyList<RuleDocument>? Rules);

public sealed record RejectRequest(string? Comment);

public sealed record MatrixListing(DateOnly Today, string? InForceToday, IReadOnlyList<ScheduleEntry> Schedule, IReadOnlyList<SettingsVersion> Versions);

public sealed record ScheduleEntry(DateOnly From, string Version);

public sealed record RouteAnswer(string MatrixVersion, VersionStatus VersionStatus, DateOnly? AsOf, IReadOnlyList<ApprovalTier> Tiers, IReadOnlyList<string> Reasons);

public sealed record MatrixDiffAnswer(string From, string To, IReadOnlyList<RuleChange> Changes);

/// <summary>
/// <c>/api/authority-matrix</c>: anyone signed in reads versions, the schedule, diffs and routes; only an
/// <c>HqAdmin</c> writes, and a second HqAdmin approves. Bodies are read strictly (an unknown field is a 400).
/// </summary>
public static partial class AuthorityEndpoints
{
    public static RouteGroupBuilder MapAuthorityEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/authority-matrix").WithTags("Authority matrix");
        group.MapGet("/", ListAsync).WithSummary("Every version (nothing is deleted), the effective-date schedule and the version in force today.");
        group.MapGet("/versions/{v}", GetAsync).WithSummary("One version: who made and approved it, its effective date and its rules. ETag = revision.");
        group.MapGet("/versions/{v}/export", ExportAsync).WithSummary("Export a version as JSON (format=json, importable as a draft) or as an .xlsx sheet (format=xlsx).");
        group.MapGet("/diff", DiffAsync).WithSummary("What changed between two versions, rule by rule (from=&to=).");
        group.MapGet("/route", RouteAsync).WithSummary("Which tiers an application would need, and why: today's matrix, the one in force on date=, or version= (drafts too).");

        group.MapPost("/drafts", CreateAsync).RequireRoles(Role.HqAdmin).WithSummary("Make a draft from rules (or a JSON export), or a copy of basedOn.");
        group.MapPost("/drafts/import", ImportAsync).RequireRoles(Role.HqAdmin)
            .WithSummary("Make a draft from an .xlsx workbook (body; ?effectiveFrom=&note=) or a JSON export (application/json).");
        group.MapPut("/drafts/{v}", EditAsync).RequireRoles(Role.HqAdmin).WithSummary("Edit your draft (If-Match: its revision).");
        group.MapPost("/drafts/{v}/submit", (string v, HttpContext http, MatrixAdmin admin, CancellationToken ct) =>
            RunAsync(http, () => admin.SubmitAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Submit your draft for approval.");
        group.MapPost("/drafts/{v}/approve", (string v, HttpContext http, MatrixAdmin admin, CancellationToken ct) =>
            RunAsync(http, () => admin.ApproveAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Approve a submitted version (a different HqAdmin than its maker).");
        group.MapPost("/drafts/{v}/reject", async (string v, HttpContext http, MatrixAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<RejectRequest>(http.Request, ct);
            return problem ?? await RunAsync(http, () => admin.RejectAsync(v, http.User.ToCreditUser(), body!.Comment, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Reject a submitted version with a comment (a different HqAdmin than its maker).");
        return api;
    }

    private static async Task<IResult> ListAsync(MatrixStore matrices, BusinessClock clock, CancellationToken ct)
    {
        var versions = matrices.Versions;
        var schedule = await versions.ScheduleAsync(ct);
        return Results.Ok(new MatrixListing(clock.Today, await versions.InForceAsync(clock.Today, ct),
            schedule.Select(s => new ScheduleEntry(s.From, s.Version)).ToList(), await versions.ListAsync(ct)));
    }

    private static Task<IResult> GetAsync(string v, HttpContext http, MatrixAdmin admin, CancellationToken ct) =>
        RunAsync(http, () => admin.FindAsync(v, ct));

    private static async Task<IResult> ExportAsync(string v, string? format, MatrixAdmin admin, CancellationToken ct)
    {
        if (format is not (null or "json" or "xlsx"))
        {
            return ApiProblems.BadRequest("format", "is json (the default) or xlsx.");
        }

        try
        {
            var stored = await admin.FindAsync(v, ct);
            var matrix = MatrixAdmin.Read(stored);
            return format == "xlsx"
                ? Results.File(MatrixSpreadsheet.Write(stored.Info, matrix), MatrixSpreadsheet.ContentType, $"authority-matrix-{v}.xlsx")
                : Results.Json(new MatrixExport(v, stored.Info.EffectiveFrom, stored.Info.Note, MatrixDocuments.From(matrix).Rules!), ApplicationStore.Json);
        }
        catch (VersionNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
    }

    private static async Task<IResult> DiffAsync(string? from, string? to, MatrixAdmin admin, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
        {
            return ApiProblems.BadRequest(string.IsNullOrWhiteSpace(from) ? "from" : "to", "is required: the two versions to compare.");
        }

        try
        {
            var changes = MatrixDiff.Compare(MatrixAdmin.Read(await admin.FindAsync(from, ct)), MatrixAdmin.Read(await admin.FindAsync(to, ct)));
            return Results.Ok(new MatrixDiffAnswer(from, to, changes));
        }
        catch (VersionNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
    }

    private static async Task<IResult> RouteAsync(HttpRequest request, MatrixStore matrices, MatrixAdmin admin, BusinessClock clock, CancellationToken ct)
    {
        var q = request.Query;
        var problems = new List<FieldProblem>();
        BranchId branch = default;
        if (!BranchId.TryParse(q["branch"], out branch))
        {
            problems.Add(new("branch", "is required: a branch id such as B01."));
        }

        var product = ParseEnum<Product>(q["product"], "product", problems);
        var guarantee = ParseEnum<GuaranteeType>(q["guarantee"], "guarantee", problems);
        var amount = ParseAmount(q["amount"], "amount", required: true, problems);
        var exposure = ParseAmount(q["exposure"], "exposure", required: false, problems);
        var ownDeposits = ParseBool(q["ownDeposits"], "ownDeposits", problems);
        var employee = ParseBool(q["employee"], "employee", problems);
        DateOnly? date = null;
        if (q["date"].ToString() is { Length: > 0 } d)
        {
            date = DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed : null;
            if (date is null)
            {
                problems.Add(new("date", "is a business date, yyyy-MM-dd."));
            }
        }

        var version = q["version"].ToString() is { Length: > 0 } v ? v : null;
        if (version is not null && date is not null)
        {
            problems.Add(new("version", "Give version or date, not both."));
        }

        if (problems.Count > 0)
        {
            return Problem(SettingsRefusal.Invalid(problems));
        }

        try
        {
            AuthorityMatrix matrix;
            VersionStatus status;
            if (version is not null)
            {
                var stored = await admin.FindAsync(version, ct);
                (matrix, status) = (MatrixAdmin.Read(stored), stored.Info.Status);
            }
            else
            {
                date ??= clock.Today;
                (matrix, status) = (await matrices.GetActiveAsync(date.Value, ct), VersionStatus.Approved);
            }

            var route = matrix.Route(new RouteRequest(branch, product!.Value, guarantee!.Value, amount!.Value, exposure ?? amount.Value, ownDeposits, employee));
            return Results.Ok(new RouteAnswer(route.MatrixVersion, status, date, route.Tiers, route.Reasons));
        }
        catch (VersionNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext http, MatrixAdmin admin, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<DraftRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        return await CreateFromAsync(http, admin, body!, body!.Version is null ? "api" : "json", ct);
    }

    private static async Task<IResult> CreateFromAsync(HttpContext http, MatrixAdmin admin, DraftRequest body, string source, CancellationToken ct)
    {
        if (ReadKeyHash(http, out var keyHash) is { } keyProblem)
        {
            return keyProblem;
        }

        return await RunAsync(http, async () =>
        {
            var document = body.Rules is null ? null : new MatrixDocument(body.Rules);
            var (draft, replayed) = await admin.CreateAsync(http.User.ToCreditUser(), document, body.EffectiveFrom, body.Note, body.BasedOn ?? body.Version, source, keyHash, ct);
            if (replayed)
            {
                http.Response.Headers[ApplicationEndpoints.ReplayedHeader] = "true";
            }

            http.Response.Headers.Location = $"/api/authority-matrix/versions/{draft.Info.Id}";
            return draft;
        }, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ImportAsync(HttpContext http, MatrixAdmin admin, CancellationToken ct)
    {
        if (http.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
        {
            var (body, problem) = await ReadAsync<DraftRequest>(http.Request, ct);
            return problem ?? await CreateFromAsync(http, admin, body!, "json", ct);
        }

        var q = http.Request.Query;
        DateOnly? effectiveFrom = null;
        if (q["effectiveFrom"].ToString() is { Length: > 0 } e)
        {
            if (!DateOnly.TryParseExact(e, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            {
                return ApiProblems.BadRequest("effectiveFrom", "is a business date, yyyy-MM-dd.");
            }

            effectiveFrom = parsed;
        }

        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var (document, problems, rowsOfRules) = MatrixSpreadsheet.Read(buffer.ToArray());
        if (problems.Count > 0)
        {
            return Problem(SettingsRefusal.Invalid(problems), "The workbook cannot be imported; nothing was written.");
        }

        if (ReadKeyHash(http, out var keyHash) is { } keyProblem)
        {
            return keyProblem;
        }

        try
        {
            var (draft, replayed) = await admin.CreateAsync(http.User.ToCreditUser(), document, effectiveFrom, q["note"].ToString() is { Length: > 0 } n ? n : null, null, "xlsx", keyHash, ct);
            if (replayed)
            {
                http.Response.Headers[ApplicationEndpoints.ReplayedHeader] = "true";
            }

            http.Response.Headers.Location = $"/api/authority-matrix/versions/{draft.Info.Id}";
            return Answer(http, draft, StatusCodes.Status201Created);
        }
        catch (SettingsRefusal refusal) when (refusal.Kind == SettingsRefusalKind.Invalid && refusal.Problems.Any(p => p.Field.StartsWith("rules[", StringComparison.Ordinal)))
        {
            return Problem(SettingsRefusal.Invalid(MatrixSpreadsheet.ToCells(refusal.Problems, rowsOfRules)), "The workbook cannot be imported; nothing was written.");
        }
        catch (SettingsRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static async Task<IResult> EditAsync(string v, HttpContext http, MatrixAdmin admin, CancellationToken ct)
    {
        var (body, problem) = await ReadAsync<DraftRequest>(http.Request, ct);
        if (problem is not null)
        {
            return problem;
        }

        int? revision = null;
        if (http.Request.Headers.IfMatch.ToString() is { Length: > 0 } match && match != "*")
        {
            if (!int.TryParse(match.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var r))
            {
                return ApiProblems.BadRequest("If-Match", "must be the ETag GET gave, e.g. \"2\".");
            }

            revision = r;
        }

        return await RunAsync(http, () => admin.EditAsync(v, http.User.ToCreditUser(), revision,
            body!.Rules is null ? null : new MatrixDocument(body.Rules), body.EffectiveFrom, body.Note, ct));
    }
}
