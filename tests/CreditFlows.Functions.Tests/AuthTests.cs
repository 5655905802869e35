using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

public class AuthTests() : AppTestBase(new TestApp())
{
    [Fact]
    public async Task Without_a_principal_the_API_answers_401()
    {
        var problem = await ProblemAsync(await Client.GetAsync("/api/me"), HttpStatusCode.Unauthorized);
        Assert.Contains("no principal", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_Easy_Auth_principal_header_gives_id_roles_and_branch()
    {
        Client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, Tokens.EasyAuthHeader("oid-123", "王小明", "b01", "LoanOfficer", "SomeOtherAppRole"));

        var me = await Client.GetFromJsonAsync<JsonObject>("/api/me");

        Assert.Equal("oid-123", me!["id"]!.GetValue<string>());
        Assert.Equal("王小明", me["name"]!.GetValue<string>());
        Assert.Equal("B01", me["branch"]!.GetValue<string>());
        Assert.Equal(["LoanOfficer"], me["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task A_malformed_principal_header_is_401_saying_so()
    {
        Client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, "not-base64!");
        var problem = await ProblemAsync(await Client.GetAsync("/api/me"), HttpStatusCode.Unauthorized);
        Assert.Contains(ClientPrincipal.HeaderName, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_core_banking_service_principal_without_a_branch_acts_for_HQ()
    {
        Client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, Tokens.EasyAuthHeader("sp-core", "Core banking", null, "CoreBanking"));

        var me = JsonNode.Parse(await Client.GetStringAsync("/api/me"))!;

        Assert.Equal("HQ", me["branch"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_principal_without_a_branch_is_403()
    {
        Client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, Tokens.EasyAuthHeader("oid-9", "No Branch", null, "LoanOfficer"));
        var problem = await ProblemAsync(await Client.GetAsync("/api/me"), HttpStatusCode.Forbidden);
        Assert.Contains("no branch", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_tampered_development_token_is_401()
    {
        Client.As(App, "lo-x", "B01", Role.LoanOfficer);
        var token = Client.DefaultRequestHeaders.Authorization!.Parameter!;
        Client.DefaultRequestHeaders.Authorization = new("Bearer", token[..^2] + (token[^2] == 'A' ? "BB" : "AA"));

        var problem = await ProblemAsync(await Client.GetAsync("/api/me"), HttpStatusCode.Unauthorized);
        Assert.Contains("signature", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_wrong_role_is_403_naming_the_role_needed()
    {
        Client.As(App, "lo-x", "B01", Role.LoanOfficer);
        var problem = await ProblemAsync(await Client.PostAsync("/api/admin/functions/Heartbeat", null), HttpStatusCode.Forbidden);
        Assert.Contains("HqAdmin", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Another_branch_is_403()
    {
        Client.As(App, "lo-x", "B01", Role.LoanOfficer);
        var problem = await ProblemAsync(await Client.GetAsync("/api/branches/B02"), HttpStatusCode.Forbidden);
        Assert.Contains("B02", problem["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/branches/B01")).StatusCode);
    }

    [Fact]
    public async Task Branch_staff_list_their_branch_and_headquarters_lists_all()
    {
        var officer = App.CreateClient().As(App, "lo-x", "B01", Role.LoanOfficer);
        var hq = App.CreateClient().As(App, "risk-x", "HQ", Role.RiskManager);

        var own = await officer.GetFromJsonAsync<JsonArray>("/api/branches");
        var all = await hq.GetFromJsonAsync<JsonArray>("/api/branches");

        Assert.Equal(["B01"], own!.Select(b => b!["id"]!.GetValue<string>()));
        Assert.Superset(new HashSet<string> { "HQ", "B01", "B02", "B03" }, all!.Select(b => b!["id"]!.GetValue<string>()).ToHashSet());
    }

    [Fact]
    public async Task An_HqAdmin_may_run_a_function_on_demand()
    {
        Client.As(App, "admin-x", "HQ", Role.HqAdmin);
        var response = await Client.PostAsJsonAsync("/api/admin/functions/Heartbeat", new { });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.StartsWith("beat-", body!["returnValue"]!.GetValue<string>());
    }
}

/// <summary>Outside Development, neither development tokens nor an untrusted principal header get in.</summary>
public class ProductionAuthTests
{
    [Fact]
    public async Task Production_refuses_development_tokens_and_untrusted_principal_headers()
    {
        await using var app = new TestApp(environment: "Production");
        var client = app.Start();

        client.As(app, "admin-x", "HQ", Role.HqAdmin);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);

        client.DefaultRequestHeaders.Authorization = null;
        client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, Tokens.EasyAuthHeader("oid-1", "Mallory", "HQ", "HqAdmin"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dev/tokens")).StatusCode);
    }

    [Fact]
    public async Task Production_trusts_the_principal_header_when_App_Service_Authentication_is_on()
    {
        await using var app = new TestApp(environment: "Production", settings: new Dictionary<string, string?> { ["Identity:TrustClientPrincipalHeader"] = "true" });
        var client = app.Start();
        client.DefaultRequestHeaders.Add(ClientPrincipal.HeaderName, Tokens.EasyAuthHeader("oid-2", "Auditor", "HQ", "Auditor"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/me")).StatusCode);
    }
}
