using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// <c>/api/hq-settings/workflow</c> (the workflow settings) and <c>/api/hq-settings/classification</c> (the NPL
/// thresholds): each kind under the same maker-checker as the matrix, with the same routes.
/// </summary>
public static partial class AuthorityEndpoints
{
    public static RouteGroupBuilder MapHqSettingsEndpoints(this RouteGroupBuilder api)
    {
        MapSettingsKind<WorkflowSettings, WorkflowSettingsAdmin>(api, "workflow", "workflow settings");
        MapSettingsKind<ClassificationSettings, ClassificationSettingsAdmin>(api, "classification", "NPL thresholds");
        return api;
    }

    private static void MapSettingsKind<TSettings, TAdmin>(RouteGroupBuilder api, string kind, string what)
        where TSettings : class
        where TAdmin : SettingsAdmin<TSettings>
    {
        // The admin is taken from the request's services rather than bound as a handler parameter: ASP.NET Core's route
        // handler analyzer fails on a parameter of a generic type parameter's type.
        static TAdmin Admin(HttpContext http) => http.RequestServices.GetRequiredService<TAdmin>();
        var group = api.MapGroup($"/hq-settings/{kind}").WithTags("HQ settings");
        group.MapGet("/", async (HttpContext http, CancellationToken ct) => Results.Ok(await Admin(http).ListingAsync(ct)))
            .WithSummary($"The {what} in force today (app settings until HQ approves a version), the schedule and every version.");
        group.MapGet("/versions/{v}", (string v, HttpContext http, CancellationToken ct) =>
            RunSettingsAsync<TSettings>(http, () => Admin(http).FindAsync(v, ct))).WithSummary($"One version of the {what}.");

        group.MapPost("/drafts", async (HttpContext http, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<SettingsDraftRequest<TSettings>>(http.Request, ct);
            return problem ?? await RunSettingsAsync<TSettings>(
                http, () => Admin(http).CreateAsync(http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct), StatusCodes.Status201Created);
        }).RequireRoles(Role.HqAdmin).WithSummary($"Make a draft of the {what} (a copy of those in force when settings is left out).");
        group.MapPut("/drafts/{v}", async (string v, HttpContext http, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<SettingsDraftRequest<TSettings>>(http.Request, ct);
            return problem ?? await RunSettingsAsync<TSettings>(http, () => Admin(http).EditAsync(v, http.User.ToCreditUser(), body!.Settings, body.EffectiveFrom, body.Note, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Edit your draft.");
        group.MapPost("/drafts/{v}/submit", (string v, HttpContext http, CancellationToken ct) =>
            RunSettingsAsync<TSettings>(http, () => Admin(http).SubmitAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Submit your draft for approval.");
        group.MapPost("/drafts/{v}/approve", (string v, HttpContext http, CancellationToken ct) =>
            RunSettingsAsync<TSettings>(http, () => Admin(http).ApproveAsync(v, http.User.ToCreditUser(), ct))).RequireRoles(Role.HqAdmin).WithSummary("Approve a submitted version (a different HqAdmin).");
        group.MapPost("/drafts/{v}/reject", async (string v, HttpContext http, CancellationToken ct) =>
        {
            var (body, problem) = await ReadAsync<RejectRequest>(http.Request, ct);
            return problem ?? await RunSettingsAsync<TSettings>(http, () => Admin(http).RejectAsync(v, http.User.ToCreditUser(), body!.Comment, ct));
        }).RequireRoles(Role.HqAdmin).WithSummary("Reject a submitted version with a comment (a different HqAdmin).");
    }

    private static Task<IResult> RunSettingsAsync<TSettings>(HttpContext http, Func<Task<StoredVersion>> action, int status = StatusCodes.Status200OK)
        where TSettings : class =>
        RunVersionAsync(http, action, stored => SettingsAdmin<TSettings>.View(stored), status);

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
