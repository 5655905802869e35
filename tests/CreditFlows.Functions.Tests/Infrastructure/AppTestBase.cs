using System.Net;
using System.Text.Json.Nodes;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>Tests that share one started app per test: <see cref="App"/> and its <see cref="Client"/>.</summary>
public abstract class AppTestBase(TestApp app) : IAsyncLifetime
{
    protected TestApp App { get; } = app;

    protected HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync()
    {
        Client = App.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>Asserts a problem+json answer with the expected status and no stack trace, and returns it.</summary>
    protected static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", body);
        return JsonNode.Parse(body)!.AsObject();
    }
}
