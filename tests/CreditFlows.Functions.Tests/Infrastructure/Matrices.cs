using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// Drives the authority matrix API for a test. Each test gets its own HqAdmins (so it can find its own versions
/// in the shared table) and a far-future business date of its own (so the versions it approves never come into
/// force for other tests, which run on the real date, and no two tests want the same effective date).
/// </summary>
public sealed class Matrices
{
    private readonly TestApp _app;
    private readonly string _tag = Guid.NewGuid().ToString("N")[..8];

    /// <summary>Call before the app starts: it replaces the business clock.</summary>
    public Matrices(TestApp app)
    {
        _app = app;
        Today = new DateOnly(2100, 1, 1).AddDays(Random.Shared.Next(0, 2_800_000));
        Clock = new ManualTime(new DateTimeOffset(Today.ToDateTime(new TimeOnly(2, 0)), TimeSpan.Zero));
        app.WithServices(s => s.AddSingleton(new BusinessClock(Clock, TimeZoneInfo.Utc)));
    }

    public HttpClient Maker => field ??= _app.CreateClient().As(_app, MakerId, "HQ", Role.HqAdmin);

    public HttpClient Checker => field ??= _app.CreateClient().As(_app, $"adm-{_tag}-2", "HQ", Role.HqAdmin);

    public HttpClient SecondChecker => field ??= _app.CreateClient().As(_app, $"adm-{_tag}-3", "HQ", Role.HqAdmin);

    public string MakerId => $"adm-{_tag}-1";

    public DateOnly Today { get; }

    public ManualTime Clock { get; }

    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd");

    /// <summary>The rules of a stored version, as its JSON export gives them.</summary>
    public static async Task<JsonArray> RulesOfAsync(HttpClient client, string version)
    {
        var export = await Loans.ReadAsync(await client.GetAsync($"/api/authority-matrix/versions/{version}/export"), HttpStatusCode.OK);
        return export["rules"]!.AsArray();
    }

    /// <summary>The default rules with the union-wide rule for <paramref name="guarantee"/> given new band limits.</summary>
    public async Task<JsonArray> DefaultWithAsync(string guarantee, decimal branchLimit, decimal hqLimit)
    {
        var rules = await RulesOfAsync(Maker, "default-2026-01");
        var rule = rules.Single(r => r!["branch"]!.GetValue<string>() == "*" && r["guarantee"]!.GetValue<string>() == guarantee)!;
        rule["bands"] = new JsonArray(
            Band(0, branchLimit, "BranchDirector"),
            Band(branchLimit, hqLimit, "BranchDirector", "HqCreditDept"),
            Band(hqLimit, null, "BranchDirector", "HqCreditDept", "Committee"));
        return rules;
    }

    public static JsonObject Band(decimal from, decimal? upTo, params string[] tiers) =>
        new() { ["from"] = from, ["upTo"] = upTo, ["tiers"] = new JsonArray(tiers.Select(t => (JsonNode)t).ToArray()) };

    public async Task<HttpResponseMessage> DraftAsync(JsonArray rules, DateOnly? effectiveFrom, HttpClient? maker = null) =>
        await (maker ?? Maker).PostAsync("/api/authority-matrix/drafts", Loans.Json(new JsonObject
        {
            ["effectiveFrom"] = effectiveFrom is { } d ? Date(d) : null,
            ["note"] = "test draft",
            ["rules"] = rules.DeepClone(),
        }));

    /// <summary>Draft, submit and approve (by the checker): answers the version id.</summary>
    public async Task<string> ActivateAsync(JsonArray rules, DateOnly effectiveFrom)
    {
        var draft = await Loans.ReadAsync(await DraftAsync(rules, effectiveFrom), HttpStatusCode.Created);
        var id = draft["version"]!["id"]!.GetValue<string>();
        await Loans.ReadAsync(await Maker.PostAsync($"/api/authority-matrix/drafts/{id}/submit", null), HttpStatusCode.OK);
        await Loans.ReadAsync(await Checker.PostAsync($"/api/authority-matrix/drafts/{id}/approve", null), HttpStatusCode.OK);
        return id;
    }

    public static async Task<JsonObject> RouteAsync(HttpClient client, string query) =>
        await Loans.ReadAsync(await client.GetAsync($"/api/authority-matrix/route?{query}"), HttpStatusCode.OK);

    /// <summary>The versions this test's maker made.</summary>
    public async Task<List<JsonNode>> MineAsync()
    {
        var listing = await Loans.ReadAsync(await Maker.GetAsync("/api/authority-matrix"), HttpStatusCode.OK);
        return listing["versions"]!.AsArray().Where(v => v!["createdBy"]!.GetValue<string>() == MakerId).Select(v => v!).ToList();
    }
}
