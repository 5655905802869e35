using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>HQ's maker-checker on the authority matrix, on real Azurite with a hand-moved business date.</summary>
public class AuthorityMatrixTests : AppTestBase
{
    private readonly Matrices _m;

    public AuthorityMatrixTests()
        : base(new TestApp()) => _m = new Matrices(App);

    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task A_version_approved_by_a_second_admin_takes_effect_at_its_effective_date()
    {
        var rules = await _m.DefaultWithAsync("Credit", 800_000m, 3_000_000m);
        var tomorrow = _m.Today.AddDays(1);
        var draft = await Loans.ReadAsync(await _m.DraftAsync(rules, tomorrow), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        Assert.Equal("Draft", draft["version"]!["status"]!.GetValue<string>());

        // The draft can be checked before approval.
        var onDraft = await Matrices.RouteAsync(_m.Maker, $"branch=B01&product=FarmerHousehold&guarantee=Credit&amount=800000&version={id}");
        Assert.Equal(["BranchDirector"], onDraft["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("Draft", onDraft["versionStatus"]!.GetValue<string>());

        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/authority-matrix/drafts/{id}/submit", null), HttpStatusCode.OK);
        var own = await ProblemAsync(await _m.Maker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null), HttpStatusCode.Forbidden);
        Assert.Contains("maker-checker", own["detail"]!.GetValue<string>());
        var approved = await Loans.ReadAsync(await _m.Checker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null), HttpStatusCode.OK);
        Assert.Equal("Approved", approved["version"]!["status"]!.GetValue<string>());

        // Today the earlier version is still in force: 800,000 on credit needs HQ.
        const string Query = "branch=B01&product=FarmerHousehold&guarantee=Credit&amount=800000";
        var today = await Matrices.RouteAsync(_m.Maker, Query);
        Assert.NotEqual(id, today["matrixVersion"]!.GetValue<string>());
        Assert.Equal(["BranchDirector", "HqCreditDept"], today["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));

        _m.Clock.Now = _m.Clock.Now.AddDays(1);
        var switched = await Matrices.RouteAsync(_m.Maker, Query);
        Assert.Equal(id, switched["matrixVersion"]!.GetValue<string>());
        Assert.Equal(["BranchDirector"], switched["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.StartsWith("Band up to 800000.00 of rule * × * × Credit", switched["reasons"]![0]!.GetValue<string>());

        // Listed with who made and who approved it; the schedule names it from its date.
        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/authority-matrix"), HttpStatusCode.OK);
        Assert.Equal(id, listing["inForceToday"]!.GetValue<string>());
        var listed = listing["versions"]!.AsArray().Single(v => v!["id"]!.GetValue<string>() == id)!;
        Assert.Equal(_m.MakerId, listed["createdBy"]!.GetValue<string>());
        Assert.NotEqual(_m.MakerId, listed["decidedBy"]!.GetValue<string>());
        Assert.Contains(listing["schedule"]!.AsArray(), s => s!["version"]!.GetValue<string>() == id && s["from"]!.GetValue<string>() == Matrices.Date(tomorrow));

        // An approved version cannot be edited or approved again.
        var edit = await _m.Maker.PutAsync($"/api/authority-matrix/drafts/{id}", Loans.Json(new JsonObject { ["note"] = "changed" }));
        await ProblemAsync(edit, HttpStatusCode.Conflict);
        await ProblemAsync(await _m.SecondChecker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null), HttpStatusCode.Conflict);

        var diff = await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/diff?from=default-2026-01&to={id}"), HttpStatusCode.OK);
        var change = Assert.Single(diff["changes"]!.AsArray());
        Assert.Equal("* × * × Credit", change!["rule"]!.GetValue<string>());
    }

    [Fact]
    public async Task Two_checkers_racing_cannot_both_approve()
    {
        var draft = await Loans.ReadAsync(await _m.DraftAsync(await _m.DefaultWithAsync("Mortgage", 2_500_000m, 10_000_000m), _m.Today.AddDays(3)), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/authority-matrix/drafts/{id}/submit", null), HttpStatusCode.OK);

        var answers = await Task.WhenAll(
            _m.Checker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null),
            _m.SecondChecker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
        var listing = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/authority-matrix"), HttpStatusCode.OK);
        Assert.Single(listing["schedule"]!.AsArray(), s => s!["version"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task A_second_version_for_the_same_effective_date_is_refused_and_nothing_is_activated()
    {
        var date = _m.Today.AddDays(2);
        var first = await _m.ActivateAsync(await _m.DefaultWithAsync("Credit", 600_000m, 2_000_000m), date);
        var second = await Loans.ReadAsync(await _m.DraftAsync(await _m.DefaultWithAsync("Credit", 700_000m, 2_000_000m), date), HttpStatusCode.Created);
        var id = second["version"]!["id"]!.GetValue<string>();
        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/authority-matrix/drafts/{id}/submit", null), HttpStatusCode.OK);

        var refused = await ProblemAsync(await _m.Checker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null), HttpStatusCode.BadRequest);
        Assert.Contains(first, refused["errors"]!["effectiveFrom"]![0]!.GetValue<string>());
        var stored = await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/versions/{id}"), HttpStatusCode.OK);
        Assert.Equal("Submitted", stored["version"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_drafts_are_refused_naming_the_rule_and_band_and_nothing_is_written()
    {
        var overlap = await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m);
        overlap[0]!["bands"]![1]!["from"] = 400_000m;
        var sent = await _m.DraftAsync(overlap, _m.Today);
        Assert.True(sent.StatusCode == HttpStatusCode.BadRequest, overlap.ToJsonString() + await sent.Content.ReadAsStringAsync());
        var problem = await ProblemAsync(sent, HttpStatusCode.BadRequest);
        Assert.Contains("an overlap", problem["errors"]!["rules[0].bands[1].from"]![0]!.GetValue<string>());

        var gap = await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m);
        gap[0]!["bands"]![1]!["from"] = 600_000m;
        problem = await ProblemAsync(await _m.DraftAsync(gap, _m.Today), HttpStatusCode.BadRequest);
        Assert.Contains("a gap", problem["errors"]!["rules[0].bands[1].from"]![0]!.GetValue<string>());

        var tier = await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m);
        tier[0]!["bands"]![2]!["tiers"] = new JsonArray("BranchDirector", "Board");
        problem = await ProblemAsync(await _m.DraftAsync(tier, _m.Today), HttpStatusCode.BadRequest);
        Assert.Contains("'Board' is not a tier", problem["errors"]!["rules[0].bands[2].tiers[1]"]![0]!.GetValue<string>());

        var negative = await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m);
        negative[0]!["bands"]![0]!["upTo"] = -1m;
        problem = await ProblemAsync(await _m.DraftAsync(negative, _m.Today), HttpStatusCode.BadRequest);
        Assert.Contains("must not be negative", problem["errors"]!["rules[0].bands[0].upTo"]![0]!.GetValue<string>());

        var text = await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m);
        text[0]!["bands"]![0]!["upTo"] = "five hundred thousand";
        problem = await ProblemAsync(await _m.DraftAsync(text, _m.Today), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("rules[0].bands[0].upTo"), problem.ToJsonString());

        var past = await ProblemAsync(await _m.DraftAsync(await _m.DefaultWithAsync("Credit", 500_000m, 2_000_000m), _m.Today.AddDays(-1)), HttpStatusCode.BadRequest);
        Assert.Contains("is in the past", past["errors"]!["effectiveFrom"]![0]!.GetValue<string>());

        var notAdmin = await Loans.Reviewer.PostAsync("/api/authority-matrix/drafts", Loans.Json(new JsonObject { ["basedOn"] = "default-2026-01" }));
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);

        Assert.Empty(await _m.MineAsync());
    }

    [Fact]
    public async Task The_route_check_explains_itself_and_refuses_bad_amounts()
    {
        var route = await Matrices.RouteAsync(Loans.Reviewer, "branch=B01&product=FarmerHousehold&guarantee=Pledge&amount=100000&exposure=30000000.01&ownDeposits=true&employee=true");
        Assert.Equal(["BranchDirector", "HqCreditDept", "Committee"], route["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
        var reasons = route["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ToList();
        Assert.Equal(4, reasons.Count);
        Assert.Contains(reasons, r => r.Contains("own certificates of deposit"));
        Assert.Contains(reasons, r => r.Contains("employee"));
        Assert.Contains(reasons, r => r.Contains("exceeds"));

        var text = await ProblemAsync(await Loans.Reviewer.GetAsync("/api/authority-matrix/route?branch=B01&product=FarmerHousehold&guarantee=Credit&amount=abc"), HttpStatusCode.BadRequest);
        Assert.True(text["errors"]!.AsObject().ContainsKey("amount"));
        var negative = await ProblemAsync(await Loans.Reviewer.GetAsync("/api/authority-matrix/route?branch=B01&product=FarmerHousehold&guarantee=Credit&amount=-5"), HttpStatusCode.BadRequest);
        Assert.True(negative["errors"]!.AsObject().ContainsKey("amount"));
        var unknown = await Loans.Reviewer.GetAsync("/api/authority-matrix/route?branch=B01&product=FarmerHousehold&guarantee=Credit&amount=5&version=nope");
        await ProblemAsync(unknown, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_application_in_flight_keeps_its_version_and_a_new_one_routes_with_the_new()
    {
        // Today: a version like the default; the loan is routed with it.
        var v1 = await _m.ActivateAsync(await _m.DefaultWithAsync("Mortgage", 2_000_000m, 10_000_000m), _m.Today);
        var id = await Loans.ToReviewAsync(amount: 500_000m);
        var routed = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(v1, routed["matrixVersion"]!.GetValue<string>());

        // From tomorrow, mortgages above 100,000 need HQ.
        var v2 = await _m.ActivateAsync(await _m.DefaultWithAsync("Mortgage", 100_000m, 10_000_000m), _m.Today.AddDays(1));
        _m.Clock.Now = _m.Clock.Now.AddDays(1);

        // Returned and reviewed again, the loan keeps v1 and its branch-level path.
        await Loans.CommandAsync(Loans.Director, id, "decision", new JsonObject { ["outcome"] = "Return", ["comment"] = "Add the appraisal." });
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        var again = await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(v1, again["matrixVersion"]!.GetValue<string>());
        Assert.Equal(["BranchDirector"], again["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));

        var fresh = await Loans.ToReviewAsync(amount: 500_000m);
        var freshRouted = await Loans.CommandAsync(Loans.Reviewer, fresh, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal(v2, freshRouted["matrixVersion"]!.GetValue<string>());
        Assert.Equal(["BranchDirector", "HqCreditDept"], freshRouted["route"]!["tiers"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task A_JSON_export_imports_as_a_draft_that_goes_through_maker_checker()
    {
        var export = await Loans.ReadAsync(await _m.Maker.GetAsync("/api/authority-matrix/versions/default-2026-01/export"), HttpStatusCode.OK);
        export["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(5));
        var imported = await Loans.ReadAsync(await _m.Maker.PostAsync("/api/authority-matrix/drafts/import", Loans.Json(export)), HttpStatusCode.Created);
        Assert.Equal("json", imported["version"]!["source"]!.GetValue<string>());
        Assert.Equal("default-2026-01", imported["version"]!["basedOn"]!.GetValue<string>());
        Assert.Equal("Draft", imported["version"]!["status"]!.GetValue<string>());
        var id = imported["version"]!["id"]!.GetValue<string>();
        var diff = await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/diff?from=default-2026-01&to={id}"), HttpStatusCode.OK);
        Assert.Empty(diff["changes"]!.AsArray());
    }

    [Fact]
    public async Task Only_the_maker_edits_a_draft_on_its_current_revision_and_a_checker_may_reject_it()
    {
        var draft = await Loans.ReadAsync(await _m.DraftAsync(await _m.DefaultWithAsync("Guarantee", 1_000_000m, 5_000_000m), _m.Today.AddDays(4)), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        var rules = await _m.DefaultWithAsync("Guarantee", 1_500_000m, 5_000_000m);

        async Task<HttpResponseMessage> Put(HttpClient who, string revision)
        {
            using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/authority-matrix/drafts/{id}") { Content = Loans.Json(new JsonObject { ["rules"] = rules.DeepClone(), ["effectiveFrom"] = Matrices.Date(_m.Today.AddDays(4)) }) };
            request.Headers.TryAddWithoutValidation("If-Match", revision);
            return await who.SendAsync(request);
        }

        await ProblemAsync(await Put(_m.Checker, "\"1\""), HttpStatusCode.Forbidden);
        await ProblemAsync(await Put(_m.Maker, "\"7\""), HttpStatusCode.Conflict);
        var edited = await Put(_m.Maker, "\"1\"");
        var body = await Loans.ReadAsync(edited, HttpStatusCode.OK);
        Assert.Equal(2, body["version"]!["revision"]!.GetValue<int>());
        Assert.Equal("\"2\"", edited.Headers.ETag?.Tag);

        await Loans.ReadAsync(await _m.Maker.PostAsync($"/api/authority-matrix/drafts/{id}/submit", null), HttpStatusCode.OK);
        var noReason = await _m.Checker.PostAsync($"/api/authority-matrix/drafts/{id}/reject", Loans.Json(new JsonObject()));
        Assert.True((await ProblemAsync(noReason, HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("comment"));
        var rejected = await Loans.ReadAsync(await _m.Checker.PostAsync($"/api/authority-matrix/drafts/{id}/reject", Loans.Json(new JsonObject { ["comment"] = "Guarantee limit too high for 2027." })), HttpStatusCode.OK);
        Assert.Equal("Rejected", rejected["version"]!["status"]!.GetValue<string>());
        Assert.Equal("0.00–1500000.00: BranchDirector", (await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/diff?from=default-2026-01&to={id}"), HttpStatusCode.OK))["changes"]![0]!["after"]![0]!.GetValue<string>());
        Assert.DoesNotContain((await Loans.ReadAsync(await _m.Maker.GetAsync("/api/authority-matrix"), HttpStatusCode.OK))["schedule"]!.AsArray(), e => e!["version"]!.GetValue<string>() == id);
    }

    [Fact]
    public async Task A_repeated_draft_with_the_same_Idempotency_Key_makes_one_draft()
    {
        async Task<HttpResponseMessage> Post()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/authority-matrix/drafts") { Content = Loans.Json(new JsonObject { ["basedOn"] = "default-2026-01" }) };
            request.Headers.Add("Idempotency-Key", "draft-1");
            return await _m.Maker.SendAsync(request);
        }

        var first = await Loans.ReadAsync(await Post(), HttpStatusCode.Created);
        var again = await Post();
        var second = await Loans.ReadAsync(again, HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["version"]!["id"]!.GetValue<string>(), second["version"]!["id"]!.GetValue<string>());
        Assert.Single(await _m.MineAsync());
    }
}
