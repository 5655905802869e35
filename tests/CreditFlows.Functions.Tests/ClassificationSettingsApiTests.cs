using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The NPL thresholds under HQ's maker-checker (<c>/api/hq-settings/classification</c>): an approved version
/// classifies the extracts dated from its effective date, not those before it, and the ledger views use the
/// version in force today. The business dates are far in the future (<see cref="Matrices"/>), so the version
/// approved here never meets the NPL tests that run on 2026 dates.
/// </summary>
public class ClassificationSettingsApiTests : AppTestBase
{
    private readonly Matrices _m;

    public ClassificationSettingsApiTests()
        : base(new TestApp(settings: NplHarness.Settings())) => _m = new Matrices(App);

    private NplHarness Npl => field ??= new NplHarness(App);

    private HttpClient RiskHq => field ??= App.CreateClient().As(App, "risk-hq", "HQ", Role.RiskManager);

    private static LoanRecord Loan(string id, int daysOverdue, DateOnly asOf) =>
        new(id, BranchId.Parse("B01"), "lo-b01", "C-" + id, "王小明", string.Empty, "FMC", GuaranteeType.Credit, 10_000_000, 10_000_000,
            new DateOnly(2024, 1, 1), asOf.AddYears(2), asOf.AddDays(-daysOverdue), null, 1_000_000, 0, false, false);

    private async Task<string> ApproveAsync(JsonObject settings, DateOnly effectiveFrom)
    {
        var draft = await Loans.ReadAsync(await _m.Maker.PostAsync("/api/hq-settings/classification/drafts", Loans.Json(new JsonObject
        {
            ["effectiveFrom"] = Matrices.Date(effectiveFrom), ["note"] = "NPL from 60 days", ["settings"] = settings,
        })), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        Assert.Equal(60, draft["settings"]!["substandardAfterDays"]!.GetValue<int>());
        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/hq-settings/classification/drafts/{id}/submit", null), HttpStatusCode.OK);
        await ProblemAsync(await _m.Maker.PostAsync($"/api/hq-settings/classification/drafts/{id}/approve", null), HttpStatusCode.Forbidden);
        await ProblemAsync(await RiskHq.PostAsync($"/api/hq-settings/classification/drafts/{id}/approve", null), HttpStatusCode.Forbidden);
        await Loans.ReadAsync(await _m.Checker.PostAsync($"/api/hq-settings/classification/drafts/{id}/approve", null), HttpStatusCode.OK);
        return id;
    }

    [Fact]
    public async Task An_approved_version_classifies_extracts_from_its_effective_date_and_the_views_use_todays()
    {
        var today = _m.Today;
        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/classification"), HttpStatusCode.OK);
        var settings = listing["inForce"]!.AsObject();
        Assert.Equal(90, settings["substandardAfterDays"]!.GetValue<int>());
        settings["substandardAfterDays"] = 60;
        settings["litigationAfterDays"] = 70;
        var id = await ApproveAsync((JsonObject)settings.DeepClone(), today.AddDays(1));

        // Still today: the app settings are in force; tomorrow's version is on the schedule.
        listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/classification"), HttpStatusCode.OK);
        Assert.Equal(90, listing["inForce"]!["substandardAfterDays"]!.GetValue<int>());
        Assert.Contains(listing["schedule"]!.AsArray(), s => s!["version"]!.GetValue<string>() == id && s["from"]!.GetValue<string>() == Matrices.Date(today.AddDays(1)));

        // Two days later, the extracts of today (old thresholds) and tomorrow (new ones) are run.
        _m.Clock.Now = _m.Clock.Now.AddDays(2);
        await Npl.UploadAsync(today, [Loan("K1", 75, today), Loan("K2", 50, today)]);
        await Npl.RunDayAsync(today);
        await ProblemAsync(await RiskHq.GetAsync("/api/npl/loans/K1"), HttpStatusCode.NotFound); // 75 days: special mention before the version

        var tomorrow = today.AddDays(1);
        await Npl.UploadAsync(tomorrow, [Loan("K1", 76, tomorrow), Loan("K2", 51, tomorrow)]);
        await Npl.RunDayAsync(tomorrow);
        var k1 = (await RiskHq.GetFromJsonAsync<JsonObject>("/api/npl/loans/K1"))!["loan"]!;
        Assert.Equal("Substandard", k1["category"]!.GetValue<string>()); // 76 > 60: substandard under the version
        Assert.Equal(Matrices.Date(tomorrow), k1["firstNplOn"]!.GetValue<string>());
        Assert.Contains("LitigationDue", k1["flags"]!.AsArray().Select(f => f!.GetValue<string>())); // 76 days on the latest day, ≥ 70 under today's version
        await ProblemAsync(await RiskHq.GetAsync("/api/npl/loans/K2"), HttpStatusCode.NotFound); // 51 days: still special mention

        listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/classification"), HttpStatusCode.OK);
        Assert.Equal(id, listing["inForceToday"]!.GetValue<string>());
        Assert.Equal(60, listing["inForce"]!["substandardAfterDays"]!.GetValue<int>());
    }

    [Fact]
    public async Task Bad_thresholds_are_refused_naming_each_field_and_nothing_is_written()
    {
        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/classification"), HttpStatusCode.OK);
        var settings = listing["inForce"]!.AsObject();

        var bad = (JsonObject)settings.DeepClone();
        var substandard = settings["substandardAfterDays"]!.GetValue<int>(); // the other test's version may be in force on this test's date
        bad["doubtfulAfterDays"] = substandard - 10;
        bad["branchNplRatio"] = 1.5m;
        bad.Remove("newNplAmount");
        var problem = await ProblemAsync(await _m.Maker.PostAsync("/api/hq-settings/classification/drafts", Loans.Json(new JsonObject { ["settings"] = bad })), HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.Equal($"must be more than substandardAfterDays ({substandard}), not {substandard - 10}.", errors["doubtfulAfterDays"]![0]!.GetValue<string>());
        Assert.True(errors.ContainsKey("branchNplRatio"));
        Assert.True(errors.ContainsKey("newNplAmount"));

        problem = await ProblemAsync(await _m.Maker.PostAsync("/api/hq-settings/classification/drafts",
            Loans.Json(new JsonObject { ["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(-1)) })), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("effectiveFrom"));

        var officer = App.CreateClient().As(App, "lo-b01", "B01", Role.LoanOfficer);
        await ProblemAsync(await officer.PostAsync("/api/hq-settings/classification/drafts", Loans.Json(new JsonObject())), HttpStatusCode.Forbidden);

        listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/hq-settings/classification"), HttpStatusCode.OK);
        Assert.DoesNotContain(listing["versions"]!.AsArray(), v => v!["createdBy"]!.GetValue<string>() == _m.MakerId);
    }
}
