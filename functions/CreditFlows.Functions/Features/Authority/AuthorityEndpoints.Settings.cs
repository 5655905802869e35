using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>Body of the workflow settings drafts: without <see cref="Settings"/>, a new draft copies the settings in force.</summary>
public sealed record SettingsDraftRequest(DateOnly? EffectiveFrom, string? Note, WorkflowSettings? Settings);

public sealed record WorkflowSettingsListing(DateOnly Today, string? InForceToday, WorkflowSettings InForce, IReadOnlyList<ScheduleEntry> Schedule, IReadOnlyList<SettingsVersion> Versions);

/// <summary><c>/api/hq-settings/workflow</c>: the workflow settings under the same maker-checker as the matrix.</summary>
public static partial class AuthorityEndpoints
{
    public static RouteGroupBuilder MapHqSettingsEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/hq-settings/workflow").WithTags("HQ settings");
        group.MapGet("/", async (WorkflowPolicySource source, BusinessClock clock, CancellationToken ct) =>
        {
            var policy = await source.GetAsync(ct);
            var schedule = await source.Versions.ScheduleAsync(ct);
            return Results.Ok(new WorkflowSettingsListing(clock.Today, await source.Versions.InForceAsync(clock.Today, ct), WorkflowSettings.From(policy),
                schedule.Select(s => new ScheduleEntry(s.From, s.Version)).ToList(), await source.Versions.ListAsync(ct)));
        }).WithSummary("The workflow settings in force today (app settings until HQ approves a version), the schedule and every version.");
        group.MapGet("/versions/{v}", (string v, HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
            RunSettingsAsync(http, () => admin.FindAsync(v, ct))).WithSummary("One workflow settings version.");

        group.MapPost("/drafts", async (HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<SettingsDraftRequest>(http.Request, ct);
            return problem ?? await RunSettingsAsync(http, () => admin.CreateAsync(http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct), StatusCodes.Status201Created);
        }).RequireRoles(Role.HqAdmin).WithSummary("Make a draft of the workflow settings (a copy of those in force when settings is left out).");
        group.MapPut("/drafts/{v}", async (string v, HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<SettingsDraftRequest>(http.Request, ct);
            return problem ?? await RunSettingsAsync(http, () => admin.EditAsync(v, http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Edit your draft.");
        group.MapPost("/drafts/{v}/submit", (string v, HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
            RunSettingsAsync(http, () => admin.SubmitAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Submit your draft for approval.");
        group.MapPost("/drafts/{v}/approve", (string v, HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
            RunSettingsAsync(http, () => admin.ApproveAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Approve a submitted version (a different HqAdmin).");
        group.MapPost("/drafts/{v}/reject", async (string v, HttpContext http, WorkflowSettingsAdmin admin, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<RejectRequest>(http.Request, ct);
            return problem ?? await RunSettingsAsync(http, () => admin.RejectAsync(v, http.User.ToCreditUser(), body!.Comment, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Reject a submitted version with a comment (a different HqAdmin).");
        return api.MapClassificationSettingsEndpoints();
    }

    private static Task<IResult> RunSettingsAsync(HttpContext http, Func<Task<StoredVersion>> action, int status = StatusCodes.Status200OK) =>
        RunVersionAsync(http, action, stored => WorkflowSettingsAdmin.View(stored), status);

    /// <summary>Runs a settings action and answers the version as <paramref name="view"/> shows it (ETag = revision), or the refusal.</summary>
    private static async Task<IResult> RunVersionAsync(HttpContext http, Func<Task<StoredVersion>> action, Func<StoredVersion, object> view, int status)
    {
        try
        {
            var stored = await action();
            http.Response.Headers.ETag = $"\"{stored.Info.Revision}\"";
            return Results.Json(view(stored), ApplicationStore.Json, statusCode: status);
        }
        catch (SettingsRefusal refusal)
        {
            return Problem(refusal);
        }
        catch (VersionNotFoundException ex)
        {
            return ApiProblems.NotFound(ex.Message);
        }
    }
}
