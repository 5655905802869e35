using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The two surfaces are provably the same: the embedded app's /api routes, the route table the worker dispatches to, the
/// HTTP [Function] wrappers and the functions.metadata the Worker SDK generates for the host all list the same functions.
/// </summary>
public partial class FunctionSurfaceTests() : AppTestBase(new TestApp())
{
    private sealed record Route(string Name, string Method, string Path);

    [Fact]
    public void The_embedded_API_routes_are_the_HTTP_wrappers_same_names_methods_and_routes()
    {
        var embedded = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.TrimStart('/').StartsWith("api/", StringComparison.Ordinal))
            .Select(e => new Route(e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? $"(unnamed {e.RoutePattern.RawText})",
                e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single().ToLowerInvariant(), ApiRoutes.FunctionRoute(e.RoutePattern)))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
        var wrappers = FunctionCatalog.FromAssembly(typeof(Program).Assembly).Where(f => f.Binding is HttpBinding)
            .Select(f => new Route(f.Name, ((HttpBinding)f.Binding).Methods.Single(), ((HttpBinding)f.Binding).Route))
            .OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(embedded, wrappers);
        Assert.Contains(new Route("Application_submit", "post", "applications/{id}/submit"), wrappers);
        Assert.Contains(new Route("Branches_Id_Get", "get", "branches/{id}"), wrappers);
        Assert.Contains(new Route("Health_Get", "get", "health"), wrappers);
        Assert.Contains(new Route("Admin_Functions_Name_Post", "post", "admin/functions/{name}"), wrappers);
        Assert.All(wrappers, r => Assert.Matches(FunctionName(), r.Name));
        Assert.Equal(wrappers.Count, wrappers.Select(r => r.Name.ToUpperInvariant()).Distinct().Count()); // the host ignores case
    }

    [Fact]
    public void The_worker_dispatches_to_the_same_endpoints_the_embedded_app_maps()
    {
        var embedded = App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is not null)
            .ToDictionary(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, e => e.RoutePattern.RawText);
        var dispatched = App.Services.GetRequiredService<ApiDispatcher>().Endpoints.ToDictionary(e => e.Key, e => e.Value.RoutePattern.RawText);

        Assert.Equal(embedded.OrderBy(e => e.Key), dispatched.OrderBy(e => e.Key));
    }

    [Fact]
    public void The_generated_functions_metadata_declares_every_function_trigger_binding_and_route()
    {
        var folder = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "functions.metadata")))!.AsArray().Select(f => f!.AsObject())
            .ToDictionary(f => f["name"]!.GetValue<string>());
        var catalog = FunctionCatalog.FromAssembly(typeof(Program).Assembly).ToList();

        Assert.Equal(catalog.Select(f => f.Name).Order(StringComparer.Ordinal), metadata.Keys.Order(StringComparer.Ordinal));
        foreach (var function in catalog)
        {
            var declared = metadata[function.Name];
            Assert.Equal("CreditFlows.Functions.dll", declared["scriptFile"]!.GetValue<string>());
            var bindings = declared["bindings"]!.AsArray().Select(b => b!.AsObject()).ToList();
            var trigger = Assert.Single(bindings, b => b["type"]!.GetValue<string>().EndsWith("Trigger", StringComparison.Ordinal));
            Assert.Equal("In", trigger["direction"]!.GetValue<string>());
            switch (function.Binding)
            {
                case TimerBinding timer:
                    Assert.Equal("timerTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Equal(timer.Schedule, trigger["schedule"]!.GetValue<string>());
                    Assert.Equal(timer.UseMonitor, trigger["useMonitor"]?.GetValue<bool>());
                    Assert.Equal(timer.RunOnStartup, trigger["runOnStartup"]?.GetValue<bool>() ?? false);
                    Assert.All(bindings.Where(b => b != trigger), b => Assert.Equal("durableClient", b["type"]!.GetValue<string>())); // WorkflowReconcile's
                    break;
                case QueueBinding queue:
                    Assert.Equal("queueTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Equal(queue.QueueName, trigger["queueName"]!.GetValue<string>());
                    Assert.Equal("string", trigger["dataType"]?.GetValue<string>() ?? "string", ignoreCase: true);
                    Assert.Single(bindings);
                    break;
                case HttpBinding http:
                    Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Equal(http.Route, trigger["route"]!.GetValue<string>());
                    Assert.Equal(http.Methods, trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>().ToLowerInvariant()));
                    Assert.Equal("anonymous", trigger["authLevel"]!.GetValue<string>(), ignoreCase: true);
                    var output = Assert.Single(bindings, b => b["direction"]!.GetValue<string>() == "Out");
                    Assert.Equal(("$return", "http"), (output["name"]!.GetValue<string>(), output["type"]!.GetValue<string>()));
                    var durable = Assert.Single(bindings, b => b["type"]!.GetValue<string>() == "durableClient");
                    Assert.Equal("In", durable["direction"]!.GetValue<string>());
                    Assert.Equal(3, bindings.Count);
                    break;
                case OrchestrationBinding:
                    Assert.Equal("orchestrationTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Single(bindings);
                    break;
                case ActivityBinding:
                    Assert.Equal("activityTrigger", trigger["type"]!.GetValue<string>());
                    Assert.Single(bindings);
                    break;
                default:
                    Assert.Fail($"{function.Name}: no check for {function.Binding.GetType().Name}");
                    break;
            }
        }

        // The catalog holds what the function.json folders held, under the same names.
        Assert.Equal(new TimerBinding("%Npl__Schedule%", UseMonitor: true), catalog.Single(f => f.Name == "NplDailyMonitor").Binding);
        Assert.Equal(new QueueBinding("%Npl__ShardQueue%"), catalog.Single(f => f.Name == "NplShard").Binding);
        Assert.DoesNotContain(catalog, f => f.Name is "OutboxSweep" or "WorkflowTimer"); // replaced by the loan orchestration
        Assert.Equal(new OrchestrationBinding(), catalog.Single(f => f.Name == "LoanWorkflow").Binding);
    }

    [Fact]
    public void The_orchestrator_and_activities_the_host_runs_are_those_the_embedded_engine_registers()
    {
        var embedded = Features.Workflow.LoanWorkflowRegistry.Orchestrators.Concat(Features.Workflow.LoanWorkflowRegistry.Activities)
            .Select(t => t.Name).Order(StringComparer.Ordinal).ToList();
        var wrappers = FunctionCatalog.FromAssembly(typeof(Program).Assembly)
            .Where(f => f.Binding is OrchestrationBinding or ActivityBinding).Select(f => f.Name).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(5, wrappers.Count);
        Assert.Equal(wrappers, embedded);
    }

    [Fact]
    public void No_function_json_is_left_in_the_build_output()
    {
        var testOutput = Path.GetDirectoryName(typeof(Program).Assembly.Location)!;
        var appOutput = Path.Combine(Azurite.RepositoryRoot(), "functions", "CreditFlows.Functions", "bin");
        Assert.True(File.Exists(Path.Combine(testOutput, "functions.metadata")));
        Assert.Empty(Directory.EnumerateFiles(testOutput, "function.json", SearchOption.AllDirectories));
        Assert.Empty(Directory.Exists(appOutput) ? Directory.EnumerateFiles(appOutput, "function.json", SearchOption.AllDirectories) : []);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Azurite.RepositoryRoot(), "functions", "CreditFlows.Functions"), "function.json", SearchOption.TopDirectoryOnly));
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,126}$")]
    private static partial Regex FunctionName();
}
