using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>Bad input, health, correlation ids and the API description.</summary>
public class EdgeTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?> { ["CreditFlows:MaxRequestBodyBytes"] = "4096" }))
{
    private HttpClient Admin => Client.As(App, "admin-x", "HQ", Role.HqAdmin);

    [Fact]
    public async Task Malformed_JSON_is_a_400_problem()
    {
        var problem = await ProblemAsync(await Admin.PostAsync("/api/admin/functions/Heartbeat",
            new StringContent("{\"input\": ", Encoding.UTF8, "application/json")), HttpStatusCode.BadRequest);
        Assert.Contains("input", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_wrong_content_type_is_a_415_problem() =>
        await ProblemAsync(await Admin.PostAsync("/api/admin/functions/Heartbeat",
            new StringContent("input=1", Encoding.UTF8, "application/x-www-form-urlencoded")), HttpStatusCode.UnsupportedMediaType);

    [Fact]
    public async Task An_oversized_body_is_a_413_problem()
    {
        var big = new string('x', 10_000);
        var problem = await ProblemAsync(await Admin.PostAsJsonAsync("/api/admin/functions/Heartbeat", new { input = big }), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("4096", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_function_is_a_404_problem_listing_the_functions()
    {
        var problem = await ProblemAsync(await Admin.PostAsJsonAsync("/api/admin/functions/NoSuch", new { }), HttpStatusCode.NotFound);
        Assert.Contains("Heartbeat", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_malformed_branch_id_is_a_400_problem_naming_the_field()
    {
        var problem = await ProblemAsync(await Admin.GetAsync("/api/branches/B%2F01"), HttpStatusCode.BadRequest);
        Assert.StartsWith("id:", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem() =>
        await ProblemAsync(await Admin.GetAsync("/api/no-such-thing"), HttpStatusCode.NotFound);

    [Fact]
    public async Task The_correlation_id_is_echoed_on_the_response_and_in_problems()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/branches/NOPE-404");
        request.Headers.Add(CorrelationIdMiddleware.HeaderName, "corr-12345678");

        var response = await Admin.SendAsync(request);

        Assert.Equal("corr-12345678", response.Headers.GetValues(CorrelationIdMiddleware.HeaderName).Single());
        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("corr-12345678", problem["correlationId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_response_gets_a_correlation_id() =>
        Assert.False(string.IsNullOrEmpty((await App.CreateClient().GetAsync("/api/health")).Headers.GetValues(CorrelationIdMiddleware.HeaderName).Single()));

    [Fact]
    public async Task Health_is_anonymous_and_checks_each_storage_service()
    {
        var health = await App.CreateClient().GetFromJsonAsync<JsonObject>("/api/health");

        Assert.Equal("Healthy", health!["status"]!.GetValue<string>());
        Assert.Equal(["tables", "queues", "blobs"], health["checks"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.All(health["checks"]!.AsArray(), c => Assert.True(c!["healthy"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task The_OpenAPI_document_and_the_API_page_are_served()
    {
        var anonymous = App.CreateClient();
        var document = await anonymous.GetFromJsonAsync<JsonObject>(ApiDocs.DocumentPath);
        Assert.True(document!["paths"]!.AsObject().ContainsKey("/api/branches/{id}"));
        var page = await anonymous.GetAsync("/api/docs/index.html");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("swagger", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
