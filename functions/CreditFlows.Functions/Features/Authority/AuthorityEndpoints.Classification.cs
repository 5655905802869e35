using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>Body of the classification settings drafts: without <see cref="Settings"/>, a new draft copies the thresholds in force.</summary>
public sealed record ClassificationDraftRequest(DateOnly? EffectiveFrom, string? Note, ClassificationSettings? Settings);

public sealed record ClassificationSettingsListing(
    DateOnly Today, string? InForceToday, ClassificationSettings InForce, IReadOnlyList<ScheduleEntry> Schedule, IReadOnlyList<SettingsVersion> Versions);

/// <summary><c>/api/hq-settings/classification</c>: the NPL thresholds under the same maker-checker as the workflow settings.</summary>
public static partial class AuthorityEndpoints
{
    public static RouteGroupBuilder MapClassificationSettingsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/hq-settings/classification").WithTags("HQ settings");
        group.MapGet("/", async (NplThresholdsSource source, BusinessClock clock, CancellationToken ct) =>
        {
            var (version, thresholds) = await source.InForceAsync(clock.Today, ct);
            var schedule = await source.Versions.ScheduleAsync(ct);
            return Results.Ok(new ClassificationSettingsListing(clock.Today, version, ClassificationSettings.From(thresholds),
                schedule.Select(s => new ScheduleEntry(s.From, s.Version)).ToList(), await source.Versions.ListAsync(ct)));
        }).WithSummary("The NPL thresholds in force today (app settings until HQ approves a version), the schedule and every version.");
        group.MapGet("/versions/{v}", (string v, HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
            RunClassificationAsync(http, () => admin.FindAsync(v, ct))).WithSummary("One classification settings version.");

        group.MapPost("/drafts", async (HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ClassificationDraftRequest>(http.Request, ct);
            return problem ?? await RunClassificationAsync(http, () => admin.CreateAsync(http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct), StatusCodes.Status201Created);
        }).RequireRoles(Role.HqAdmin).WithSummary("Make a draft of the NPL thresholds (a copy of those in force when settings is left out).");
        group.MapPut("/drafts/{v}", async (string v, HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<ClassificationDraftRequest>(http.Request, ct);
            return problem ?? await RunClassificationAsync(http, () => admin.EditAsync(v, http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Edit your draft.");
        group.MapPost("/drafts/{v}/submit", (string v, HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
            RunClassificationAsync(http, () => admin.SubmitAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Submit your draft for approval.");
        group.MapPost("/drafts/{v}/approve", (string v, HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
            RunClassificationAsync(http, () => admin.ApproveAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Approve a submitted version (a different HqAdmin).");
        group.MapPost("/drafts/{v}/reject", async (string v, HttpContext http, ClassificationSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<RejectRequest>(http.Request, ct);
            return problem ?? await RunClassificationAsync(http, () => admin.RejectAsync(v, http.User.ToCreditUser(), body!.Comment, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Reject a submitted version with a comment (a different HqAdmin).");
        return api;
    }

    private static Task<IResult> RunClassificationAsync(HttpContext http, Func<Task<StoredVersion>> action, int status = StatusCodes.Status200OK) =>
        RunVersionAsync(http, action, stored => ClassificationSettingsAdmin.View(stored), status);
}
