using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Applications;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>Stage deadlines and responsibility shares under the same maker-checker and effective dates as the matrix.</summary>
public class WorkflowSettingsTests : AppTestBase
{
    private readonly Matrices _m;

    public WorkflowSettingsTests()
        : base(new TestApp()) => _m = new Matrices(App);

    private Loans Loans => field ??= new Loans(App);

    private async Task<DateTimeOffset> ReviewDeadlineOfNewApplicationAsync()
    {
        var id = await Loans.ToReviewAsync();
        var version = (await Loans.GetAsync(id))["version"]!.GetValue<int>();
        return (await Effects.TimersAsync(App, id)).Single(t => t.Kind == TimerKind.Escalation && t.Version == version).DueAt;
    }

    [Fact]
    public async Task An_approved_settings_version_changes_stage_deadlines_from_its_effective_date()
    {
        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/workflow"), HttpStatusCode.OK);
        Assert.Equal("3.00:00:00", listing["inForce"]!["stageDeadlines"]!["Review"]!.GetValue<string>());

        // A copy of the settings in force, with a one-day review, from tomorrow.
        var draft = await Loans.ReadAsync(await _m.Maker.PostAsync("/api/hq-settings/workflow/drafts",
            Loans.Json(new JsonObject { ["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(1)) })), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        var settings = draft["settings"]!.AsObject();
        settings["stageDeadlines"]!["Review"] = "1.00:00:00";
        await Loans.ReadAsync(await _m.Maker.PutAsync($"/api/hq-settings/workflow/drafts/{id}", Loans.Json(new JsonObject
        {
            ["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(1)), ["settings"] = settings.DeepClone(),
        })), HttpStatusCode.OK);
        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/hq-settings/workflow/drafts/{id}/submit", null), HttpStatusCode.OK);
        await ProblemAsync(await _m.Maker.PostAsync($"/api/hq-settings/workflow/drafts/{id}/approve", null), HttpStatusCode.Forbidden);
        await Loans.ReadAsync(await _m.Checker.PostAsync($"/api/hq-settings/workflow/drafts/{id}/approve", null), HttpStatusCode.OK);

        Assert.Equal(_m.Clock.Now.AddDays(3), await ReviewDeadlineOfNewApplicationAsync());

        _m.Clock.Now = _m.Clock.Now.AddDays(1);
        Assert.Equal(_m.Clock.Now.AddDays(1), await ReviewDeadlineOfNewApplicationAsync());
        var after = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/workflow"), HttpStatusCode.OK);
        Assert.Equal(id, after["inForceToday"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_settings_are_refused_naming_the_field_and_nothing_is_written()
    {
        var copy = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/workflow"), HttpStatusCode.OK);
        var settings = copy["inForce"]!.AsObject();

        var shares = settings.DeepClone().AsObject();
        shares["responsibilityShares"]!["review"] = 10m;
        var problem = await ProblemAsync(await _m.Maker.PostAsync("/api/hq-settings/workflow/drafts", Loans.Json(new JsonObject { ["settings"] = shares })), HttpStatusCode.BadRequest);
        Assert.Equal("must be non-negative and sum to 100, not 90.", problem["errors"]!["responsibilityShares"]![0]!.GetValue<string>());

        var stage = settings.DeepClone().AsObject();
        stage["stageDeadlines"]!["Lunch"] = "01:00:00";
        problem = await ProblemAsync(await _m.Maker.PostAsync("/api/hq-settings/workflow/drafts", Loans.Json(new JsonObject { ["settings"] = stage })), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("stageDeadlines.Lunch"));

        problem = await ProblemAsync(await _m.Maker.PostAsync("/api/hq-settings/workflow/drafts",
            Loans.Json(new JsonObject { ["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(-1)) })), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("effectiveFrom"));

        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/workflow"), HttpStatusCode.OK);
        Assert.DoesNotContain(listing["versions"]!.AsArray(), v => v!["createdBy"]!.GetValue<string>() == _m.MakerId);
    }
}
