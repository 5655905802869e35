using System.Text;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Identity;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The worker surface as Program.cs builds it when the Functions host starts the app, short of connecting to a host (none
/// runs here): its services dispatch the route table through the app's pipeline, and its OpenAPI document is the API's.
/// </summary>
public class WorkerModeTests
{
    private const string SigningKey = "worker-test-signing-key-of-at-least-32-characters";

    [Fact]
    public void The_host_is_recognised_by_the_switches_it_starts_the_worker_with()
    {
        Assert.True(HostEnvironment.StartedByFunctionsHost(["--functions-uri", "http://127.0.0.1:1234", "--functions-worker-id", "w"]));
        Assert.True(HostEnvironment.StartedByFunctionsHost(["--host", "127.0.0.1", "--port", "1234", "--workerId", "w", "--requestId", "r"]));
        Assert.False(HostEnvironment.StartedByFunctionsHost([]));
        Assert.False(HostEnvironment.StartedByFunctionsHost(["--urls", "http://localhost:7071"]));
    }

    [Fact]
    public async Task The_worker_runs_the_route_table_through_the_apps_pipeline_and_describes_it_in_OpenAPI()
    {
        var builder = FunctionsApplication.CreateBuilder(["--functions-uri", "http://127.0.0.1:9", "--functions-worker-id", "test"]);
        builder.Environment.EnvironmentName = Environments.Development;
        builder.Configuration["AzureWebJobsStorage"] = Azurite.ConnectionString;
        builder.Configuration["Identity:DevTokenSigningKey"] = SigningKey;
        builder.ConfigureFunctionsWebApplication();
        builder.AddCreditFlowsWorker();
        using var host = builder.Build(); // Not started: it would connect to the Functions host.

        var (status, body) = await InvokeAsync(host.Services, "Openapi_V1Json_Get", "/api/openapi/v1.json");
        Assert.Equal(StatusCodes.Status200OK, status);
        var paths = JsonNode.Parse(body)!["paths"]!.AsObject();
        Assert.True(paths.ContainsKey("/api/branches/{id}"));
        Assert.True(paths.ContainsKey("/api/applications/{id}/submit"));

        var (refused, problem) = await InvokeAsync(host.Services, "Me_Get", "/api/me");
        Assert.Equal(StatusCodes.Status401Unauthorized, refused);
        Assert.Equal(401, JsonNode.Parse(problem)!["status"]!.GetValue<int>());

        var token = host.Services.GetRequiredService<DevTokens>().Issue(new CreditUser("lo-worker", "lo-worker", new HashSet<Role> { Role.LoanOfficer }, BranchId.Parse("B01")));
        var (ok, me) = await InvokeAsync(host.Services, "Me_Get", "/api/me", token);
        Assert.Equal(StatusCodes.Status200OK, ok);
        Assert.Equal("lo-worker", JsonNode.Parse(me)!["id"]!.GetValue<string>());
    }

    private static async Task<(int Status, string Body)> InvokeAsync(IServiceProvider services, string function, string path, string? token = null)
    {
        await using var scope = services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = "GET";
        http.Request.Path = path;
        if (token is not null)
        {
            http.Request.Headers.Authorization = $"Bearer {token}";
        }

        var body = new MemoryStream();
        http.Response.Body = body;
        var result = await services.GetRequiredService<ApiDispatcher>().InvokeAsync(function, http.Request, durable: null);
        await result.ExecuteAsync(http);
        return (http.Response.StatusCode, Encoding.UTF8.GetString(body.ToArray()));
    }
}
