using Microsoft.DurableTask.Client;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// What every HTTP <c>[Function]</c> wrapper calls under the Functions host. The worker's ASP.NET Core integration routes
/// the request to the function and gives us its HttpContext, but runs none of our middleware (it has no hook for it). So
/// the dispatcher puts the API endpoint of the same name (<see cref="ApiRoutes"/>) on the context, and answers a result
/// that runs the app's own pipeline (<see cref="CreditFlowsApp.UseCreditFlowsPipeline"/>: correlation id, problem
/// details, status code pages, authentication, authorization) and then that endpoint: the same middleware and handler
/// the embedded app runs. Route values are the worker's, matched against the function's route, which is the endpoint's.
/// </summary>
public sealed class ApiDispatcher
{
    private readonly Lazy<IReadOnlyDictionary<string, RouteEndpoint>> _endpoints;
    private readonly Lazy<RequestDelegate> _pipeline;

    public ApiDispatcher(IServiceProvider services)
    {
        _endpoints = new(() => ApiRoutes.Build(services).ToDictionary(Name, StringComparer.Ordinal));
        _pipeline = new(() =>
        {
            var app = new ApplicationBuilder(services);
            app.UseCreditFlowsPipeline();
            app.Run(context => context.GetEndpoint()?.RequestDelegate?.Invoke(context) ?? Task.CompletedTask);
            return app.Build();
        });
    }

    /// <summary>The API endpoints by function name.</summary>
    public IReadOnlyDictionary<string, RouteEndpoint> Endpoints => _endpoints.Value;

    public Task<IResult> InvokeAsync(string function, HttpRequest request, DurableTaskClient? durable)
    {
        var endpoint = Endpoints.GetValueOrDefault(function)
            ?? throw new InvalidOperationException($"No API endpoint is named '{function}': the [Function] wrapper and the route table disagree.");
        var context = request.HttpContext;
        context.SetEndpoint(endpoint);
        if (durable is not null)
        {
            context.Features.Set(new DurableClientFeature(durable));
        }

        return Task.FromResult<IResult>(new PipelineResult(_pipeline.Value));
    }

    private static string Name(RouteEndpoint endpoint) =>
        endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
        ?? throw new InvalidOperationException($"API endpoint {endpoint.RoutePattern.RawText} has no name.");

    private sealed class PipelineResult(RequestDelegate pipeline) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => pipeline(httpContext);
    }
}
