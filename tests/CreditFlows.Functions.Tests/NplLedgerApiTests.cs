using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>The NPL ledger API: branch scope, assignable fields with audit, reclassification with approval, responsibility from the workflow.</summary>
public class NplLedgerApiTests() : AppTestBase(new TestApp(settings: NplHarness.Settings()))
{
    private static readonly DateOnly Day1 = new(2026, 11, 21);
    private static readonly DateOnly Day2 = new(2026, 11, 22);

    private NplHarness Npl => field ??= new NplHarness(App);

    private HttpClient RiskB01 => field ??= App.CreateClient().As(App, "risk-b01", "B01", Role.RiskManager);

    private HttpClient RiskHq => field ??= App.CreateClient().As(App, "risk-hq", "HQ", Role.RiskManager);

    private HttpClient OfficerB01 => field ??= App.CreateClient().As(App, "lo-b01", "B01", Role.LoanOfficer);

    private HttpClient OfficerB02 => field ??= App.CreateClient().As(App, "lo-b02", "B02", Role.LoanOfficer);

    private static LoanRecord Loan(string id, string branch, int daysOverdue, string name = "张三", long balanceFen = 10_000_000, DateOnly? asOf = null) =>
        new(id, BranchId.Parse(branch), $"lo-{branch.ToLowerInvariant()}", "C-" + id, name, string.Empty, "FMC", GuaranteeType.Credit, balanceFen, balanceFen,
            new DateOnly(2024, 1, 1), new DateOnly(2028, 1, 1), daysOverdue > 0 ? (asOf ?? Day1).AddDays(-daysOverdue) : null, null, 0, 0, false, false);

    private async Task<JsonObject> LoanAsync(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<JsonObject>($"/api/npl/loans/{id}"))!;

    [Fact]
    public async Task Ledger_is_branch_scoped_and_keeps_chinese_names_from_a_gzip_extract()
    {
        await Npl.UploadAsync(Day1, [Loan("A1", "B01", 100, "欧阳秀英"), Loan("A2", "B02", 200), Loan("A3", "B01", 10)], gzip: true);
        await Npl.RunDayAsync(Day1);

        var mine = await OfficerB01.GetFromJsonAsync<JsonObject>("/api/npl/loans");
        Assert.Equal(["A1"], mine!["items"]!.AsArray().Select(i => i!["loanId"]!.GetValue<string>()));
        var loan = await LoanAsync(OfficerB01, "A1");
        Assert.Equal("欧阳秀英", loan["loan"]!["borrowerName"]!.GetValue<string>());
        Assert.Equal("Substandard", loan["loan"]!["category"]!.GetValue<string>());
        Assert.Equal(100, loan["loan"]!["daysOverdue"]!.GetValue<int>());
        Assert.Equal("extract", loan["loan"]!["lendingSource"]!.GetValue<string>());

        await ProblemAsync(await OfficerB02.GetAsync("/api/npl/loans?branch=B01"), HttpStatusCode.Forbidden);
        await ProblemAsync(await OfficerB02.GetAsync("/api/npl/loans/A1"), HttpStatusCode.NotFound);
        var bad = await ProblemAsync(await RiskHq.GetAsync("/api/npl/loans?category=Bad"), HttpStatusCode.BadRequest);
        Assert.Contains("category", bad["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(2, (await RiskHq.GetFromJsonAsync<JsonObject>("/api/npl/loans"))!["items"]!.AsArray().Count);
        await ProblemAsync(await OfficerB02.GetAsync("/api/npl/summary?branch=B01"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Risk_manager_assigns_collection_and_every_change_is_audited()
    {
        await Npl.UploadAsync(Day1, [Loan("P1", "B01", 200)]);
        await Npl.RunDayAsync(Day1);

        var forbidden = await OfficerB01.PatchAsJsonAsync("/api/npl/loans/P1", new { collectionOfficerId = "lo-b01-02" });
        await ProblemAsync(forbidden, HttpStatusCode.Forbidden);
        var unknown = await ProblemAsync(await RiskB01.PatchAsJsonAsync("/api/npl/loans/P1", new { owner = "x" }), HttpStatusCode.BadRequest);
        Assert.Contains("owner", unknown["errors"]!.AsObject().Select(e => e.Key));
        var badEnum = await ProblemAsync(await RiskB01.PatchAsJsonAsync("/api/npl/loans/P1", new { recoverability = "Maybe" }), HttpStatusCode.BadRequest);
        Assert.Contains("recoverability", badEnum["errors"]!.AsObject().Select(e => e.Key));

        var loan = (await LoanAsync(RiskB01, "P1"))["loan"]!;
        Assert.Contains("LitigationDue", loan["flags"]!.AsArray().Select(f => f!.GetValue<string>()));
        var response = await RiskB01.PatchAsJsonAsync("/api/npl/loans/P1", new
        {
            collectionOfficerId = "lo-b01-02", recoverability = "RecoverableWithEffort", collectionPlan = "每月上门催收 Monthly visits", nextActionOn = "2026-12-01",
            lastInspectionOn = "2026-11-20", litigation = "Filed",
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var patched = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("lo-b01-02", patched["collectionOfficerId"]!.GetValue<string>());
        Assert.DoesNotContain("LitigationDue", patched["flags"]!.AsArray().Select(f => f!.GetValue<string>()));

        // A stale ETag is refused; the officer may record an inspection.
        await ProblemAsync(await SendPatchAsync(RiskB01, "P1", new { collectionPlan = "x" }, loan["eTag"]!.GetValue<string>()), HttpStatusCode.PreconditionFailed);
        Assert.Equal(HttpStatusCode.OK, (await OfficerB01.PatchAsJsonAsync("/api/npl/loans/P1", new { lastInspectionOn = "2026-11-21" })).StatusCode);

        // The next day's run keeps the assigned fields.
        await Npl.UploadAsync(Day2, [Loan("P1", "B01", 201, asOf: Day2) with { BalanceFen = 9_000_000 }]);
        await Npl.RunDayAsync(Day2);
        var after = await LoanAsync(RiskB01, "P1");
        Assert.Equal("lo-b01-02", after["loan"]!["collectionOfficerId"]!.GetValue<string>());
        Assert.Equal(90_000m, after["loan"]!["balance"]!.GetValue<decimal>());
        var history = after["history"]!.AsArray();
        var patches = history.Where(h => h!["kind"]!.GetValue<string>() == "patch").ToList();
        Assert.Equal(2, patches.Count);
        Assert.Equal("risk-b01", patches[0]!["actorId"]!.GetValue<string>());
        Assert.Equal("Filed", patches[0]!["detail"]!["litigation"]!["to"]!.GetValue<string>());
        Assert.Equal(2, history.Count(h => h!["kind"]!.GetValue<string>() == "daily"));
    }

    [Fact]
    public async Task Moving_a_loan_out_of_npl_waits_for_another_risk_manager_then_the_next_run_applies_it()
    {
        await Npl.UploadAsync(Day1, [Loan("R1", "B01", 120), Loan("R2", "B01", 0)]);
        await Npl.RunDayAsync(Day1);

        var asked = await OfficerB01.PostAsJsonAsync("/api/npl/loans/R1/reclassification", new { category = "SpecialMention", reason = "担保人已代偿 Guarantor paid" });
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.True((await asked.Content.ReadFromJsonAsync<JsonObject>())!["waitsForApproval"]!.GetValue<bool>());
        var noReason = await ProblemAsync(await OfficerB01.PostAsJsonAsync("/api/npl/loans/R2/reclassification", new { category = "Loss" }), HttpStatusCode.BadRequest);
        Assert.Contains("reason", noReason["errors"]!.AsObject().Select(e => e.Key));
        var downgrade = await OfficerB01.PostAsJsonAsync("/api/npl/loans/R2/reclassification", new { category = "Doubtful", reason = "借款人外出失联 Borrower unreachable", branch = "B01" });
        Assert.False((await downgrade.Content.ReadFromJsonAsync<JsonObject>())!["waitsForApproval"]!.GetValue<bool>());

        await ProblemAsync(await OfficerB01.PostAsync("/api/npl/loans/R1/reclassification/approve", null), HttpStatusCode.Forbidden);
        var self = App.CreateClient().As(App, "lo-b01", "B01", Role.RiskManager, Role.LoanOfficer);
        await ProblemAsync(await self.PostAsync("/api/npl/loans/R1/reclassification/approve", null), HttpStatusCode.Forbidden);

        // Before approval the next run keeps R1 in NPL; R2's downgrade applies at once.
        await Npl.UploadAsync(Day2, [Loan("R1", "B01", 121, asOf: Day2), Loan("R2", "B01", 0)]);
        await Npl.RunDayAsync(Day2);
        Assert.Equal("Substandard", (await LoanAsync(RiskB01, "R1"))["loan"]!["category"]!.GetValue<string>());
        var r2 = await LoanAsync(RiskB01, "R2");
        Assert.Equal("Doubtful", r2["loan"]!["category"]!.GetValue<string>());
        Assert.Equal("Normal", r2["loan"]!["ruleCategory"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.OK, (await RiskB01.PostAsync("/api/npl/loans/R1/reclassification/approve", null)).StatusCode);
        await ProblemAsync(await RiskB01.PostAsync("/api/npl/loans/R1/reclassification/approve", null), HttpStatusCode.Conflict);
        var day3 = Day2.AddDays(1);
        await Npl.UploadAsync(day3, [Loan("R1", "B01", 122, asOf: day3), Loan("R2", "B01", 0)]);
        await Npl.RunDayAsync(day3);
        var r1 = await LoanAsync(RiskB01, "R1");
        Assert.False(r1["loan"]!["inNpl"]!.GetValue<bool>());
        Assert.Equal("SpecialMention", r1["loan"]!["category"]!.GetValue<string>());
        Assert.Equal("Substandard", r1["reclassification"]!["active"]!["basis"]!.GetValue<string>());
        var kinds = r1["history"]!.AsArray().Select(h => h!["kind"]!.GetValue<string>()).ToList();
        Assert.Contains("reclassification-requested", kinds);
        Assert.Contains("reclassification-approved", kinds);
        Assert.Contains("override-basis", kinds);
        var migration = (await RiskHq.GetFromJsonAsync<JsonObject>($"/api/npl/summary?date={day3:yyyy-MM-dd}&branch=B01"))!["totals"]!["migrations"]!.AsArray();
        Assert.Contains(migration, m => m!["from"]!.GetValue<string>() == "Substandard" && m["to"]!.GetValue<string>() == "SpecialMention");
    }

    [Fact]
    public async Task A_loan_that_went_through_the_workflow_carries_its_responsibility_record()
    {
        var loans = new Loans(App);
        var id = await loans.ToReviewAsync();
        await loans.CommandAsync(loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await loans.CommandAsync(loans.Director, id, "decision", Loans.Approve());
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await loans.CommandAsync(loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-NPL", ["signedOn"] = today });
        await loans.CommandAsync(loans.Officer, id, "handoff", new JsonObject { ["registeredCollateral"] = new JsonArray(0) });
        var account = $"6228-{Guid.NewGuid():N}"[..20];
        await loans.CommandAsync(loans.CoreBanking, id, "disbursement", new JsonObject { ["loanAccountNumber"] = account, ["amount"] = 500_000m, ["disbursedOn"] = today });

        await Npl.UploadAsync(Day1, [Loan(account, "B01", 300, balanceFen: 50_000_000)]);
        await Npl.RunDayAsync(Day1);
        var loan = (await LoanAsync(RiskB01, account))["loan"]!;
        Assert.Equal("workflow", loan["lendingSource"]!.GetValue<string>());
        Assert.Equal(id, loan["applicationId"]!.GetValue<string>());
        var people = loan["lendingResponsible"]!.AsArray();
        Assert.Equal(100m, people.Sum(p => p!["sharePercent"]!.GetValue<decimal>()));
        Assert.Contains(people, p => p!["userId"]!.GetValue<string>() == "dir-b01");
    }

    private static Task<HttpResponseMessage> SendPatchAsync(HttpClient client, string id, object body, string etag)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/npl/loans/{id}") { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        return client.SendAsync(request);
    }
}
