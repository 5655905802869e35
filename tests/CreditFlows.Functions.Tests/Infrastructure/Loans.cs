using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>Sample application bodies and a driver that takes an application through the workflow over HTTP.</summary>
public sealed class Loans(TestApp app)
{
    public HttpClient Officer { get; } = app.CreateClient().As(app, "lo-b01", "B01", Role.LoanOfficer);

    public HttpClient Reviewer { get; } = app.CreateClient().As(app, "rv-b01", "B01", Role.Reviewer);

    public HttpClient Director { get; } = app.CreateClient().As(app, "dir-b01", "B01", Role.BranchDirector);

    public HttpClient HqCredit { get; } = app.CreateClient().As(app, "credit-hq", "HQ", Role.HqCreditDept);

    public HttpClient Chair { get; } = app.CreateClient().As(app, "chair", "HQ", Role.CommitteeChair, Role.CommitteeMember);

    public HttpClient CoreBanking { get; } = app.CreateClient().As(app, "core-banking", "HQ", Role.CoreBanking);

    public HttpClient As(string id, string branch, params Role[] roles) => app.CreateClient().As(app, id, branch, roles);

    /// <summary>A valid 18-digit resident id number (check digit computed).</summary>
    public static string ResidentId(int serial) =>
        $"41152219800101{serial % 1000:D3}" is var first17 ? first17 + ApplicationRules.ResidentIdCheckDigit(first17) : "";

    public static JsonObject OpenBody(decimal amount = 500_000m, string guarantee = "Mortgage", string product = "FarmerHousehold", JsonArray? related = null) => new()
    {
        ["borrower"] = new JsonObject
        {
            ["name"] = "张三",
            ["idNumber"] = ResidentId(Random.Shared.Next(1000)),
            ["type"] = product switch { "IndividualBusiness" => "IndividualBusiness", "SmallEnterprise" => "SmallEnterprise", _ => "FarmerHousehold" },
            ["address"] = "城关镇东村3组",
        },
        ["product"] = product,
        ["guaranteeType"] = guarantee,
        ["amount"] = amount,
        ["termMonths"] = 24,
        ["annualRatePercent"] = 6.5m,
        ["purpose"] = "购买农机 Buying farm machinery",
        ["relatedEmployees"] = related ?? [],
    };

    /// <summary>A complete investigation for the product and guarantee type.</summary>
    public static JsonObject Investigation(decimal amount = 500_000m, string guarantee = "Mortgage", string collateralType = "RealEstate", JsonArray? associates = null) => new()
    {
        ["household"] = new JsonObject { ["members"] = 4, ["labourers"] = 2, ["creditRating"] = "AA", ["mainActivity"] = "Vegetable greenhouses" },
        ["purpose"] = "购买农机 Buying farm machinery",
        ["amount"] = amount,
        ["termMonths"] = 24,
        ["annualRatePercent"] = 6.5m,
        ["repaymentSource"] = "Greenhouse vegetable sales",
        ["annualIncome"] = 180_000m,
        ["existingDebts"] = new JsonArray(new JsonObject { ["lender"] = "本联社 this union", ["balance"] = 50_000m, ["atThisUnion"] = true }),
        ["associatedCustomers"] = associates ?? [],
        ["guarantors"] = guarantee == "Guarantee"
            ? new JsonArray(new JsonObject
            {
                ["name"] = "李四", ["idNumber"] = ResidentId(7), ["relation"] = "neighbour", ["netAssets"] = 900_000m, ["annualIncome"] = 120_000m, ["consentSigned"] = true,
            })
            : [],
        ["collateral"] = guarantee is "Mortgage" or "Pledge"
            ? new JsonArray(new JsonObject
            {
                ["type"] = collateralType, ["description"] = "Two-storey house, 180 m²", ["appraisedValue"] = amount * 2, ["appraiser"] = "县正信评估所",
                ["registrationStatus"] = "Registered", ["ownerName"] = "张三",
            })
            : [],
        ["risk"] = new JsonObject { ["rating"] = "Low", ["summary"] = "Stable income, good repayment record." },
        ["recommendation"] = new JsonObject { ["approve"] = true, ["comment"] = "Recommend approval." },
    };

    public async Task<string> OpenAsync(JsonObject? body = null, HttpClient? officer = null)
    {
        var response = await (officer ?? Officer).PostAsync("/api/applications", Json(body ?? OpenBody()));
        var json = await ReadAsync(response, HttpStatusCode.Created);
        return json["id"]!.GetValue<string>();
    }

    /// <summary>Open, submit and send a complete investigation to review.</summary>
    public async Task<string> ToReviewAsync(decimal amount = 500_000m, string guarantee = "Mortgage", string collateralType = "RealEstate", JsonArray? related = null, JsonArray? associates = null)
    {
        var id = await OpenAsync(OpenBody(amount, guarantee, related: related));
        await CommandAsync(Officer, id, "submit", null);
        await CommandAsync(Officer, id, "investigation", new JsonObject { ["investigation"] = Investigation(amount, guarantee, collateralType, associates), ["submit"] = true });
        return id;
    }

    public async Task<JsonObject> CommandAsync(HttpClient client, string id, string command, JsonObject? body, HttpStatusCode expected = HttpStatusCode.OK, string? idempotencyKey = null, string? ifMatch = null)
    {
        var response = await SendAsync(client, id, command, body, idempotencyKey, ifMatch);
        return await ReadAsync(response, expected);
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string id, string command, JsonObject? body, string? idempotencyKey = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/{command}") { Content = body is null ? null : Json(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return await client.SendAsync(request);
    }

    public async Task<JsonObject> GetAsync(string id, HttpClient? client = null) =>
        await ReadAsync(await (client ?? Officer).GetAsync($"/api/applications/{id}"), HttpStatusCode.OK);

    public async Task<JsonArray> HistoryAsync(string id) =>
        JsonNode.Parse(await (await Officer.GetAsync($"/api/applications/{id}/history")).Content.ReadAsStringAsync())!.AsArray();

    public static JsonObject Approve(string? resolutionRef = null) => new() { ["outcome"] = "Approve", ["comment"] = "同意 Agreed", ["resolutionRef"] = resolutionRef };

    public static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    public static async Task<JsonObject> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public static string State(JsonObject application) => application["state"]!.GetValue<string>();

    public static string[] Commands(JsonArray history) => history.Select(e => e!["command"]!.GetValue<string>()).ToArray();
}
