using System.Text.Json;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// Runs a timer or queue function now, as the Functions host's admin API does (<c>POST /admin/functions/{name}</c>
/// with <c>{"input": "..."}</c>): a timer gets an occurrence that is not past due, a queue function gets the input as
/// its message. <c>/api/admin/functions/{name}</c> is a route of the API (both surfaces) and needs <c>HqAdmin</c>;
/// <c>/admin/functions/{name}</c> exists only in the embedded default and answers only callers on this machine. Under
/// the host, <c>/admin/</c> is the host's own admin API, which does the same with the master key.
/// </summary>
public static class AdminEndpoints
{
    public sealed record RunRequest(string? Input);

    public sealed record RunResponse(string Function, string InvocationId, IReadOnlyList<string> Logs, object? ReturnValue);

    public static IEndpointRouteBuilder MapRunNowEndpoint(this IEndpointRouteBuilder api)
    {
        api.MapPost("/admin/functions/{name}", RunAsync)
            .RequireRoles(Role.HqAdmin)
            .WithTags("Admin")
            .WithSummary("Runs a timer or queue function now (HqAdmin).")
            .Produces<RunResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return api;
    }

    public static IEndpointRouteBuilder MapLocalRunNowEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/admin/functions/{name}", (string name, HttpContext context, FunctionCatalog catalog, FunctionInvoker invoker, CancellationToken cancellationToken) =>
                context.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote)
                    ? RunAsync(name, context.Request, catalog, invoker, cancellationToken)
                    : Task.FromResult(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                        detail: "/admin/functions is for this machine only; use /api/admin/functions as an HqAdmin.")))
            .ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> RunAsync(string name, HttpRequest request, FunctionCatalog catalog, FunctionInvoker invoker, CancellationToken cancellationToken)
    {
        var triggered = catalog.Functions.Where(f => f.Binding is TimerBinding or QueueBinding && invoker.IsRegistered(f.Name)).ToList();
        var function = triggered.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (function is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such function",
                detail: $"There is no timer or queue function named '{name}'. Functions: {string.Join(", ", triggered.Select(f => f.Name))}.");
        }

        string? input = null;
        if (request.ContentLength is > 0 || request.Headers.TransferEncoding.Count > 0)
        {
            if (!request.HasJsonContentType())
            {
                return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "The body is JSON: {\"input\": \"...\"}.");
            }

            try
            {
                input = (await request.ReadFromJsonAsync<RunRequest>(cancellationToken))?.Input;
            }
            catch (JsonException ex)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body", detail: $"input: {ex.Message}");
            }
        }

        var outcome = function.Binding is TimerBinding
            ? await invoker.RunTimerAsync(function.Name, new TimerState(null, IsPastDue: false), cancellationToken)
            : await invoker.RunQueueAsync(function.Name, input ?? string.Empty, dequeueCount: 1, cancellationToken);
        return outcome.Succeeded
            ? Results.Accepted(value: new RunResponse(function.Name, outcome.InvocationId, outcome.Result!.Logs, outcome.Result.ReturnValue))
            : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The function failed",
                detail: $"{function.Name} failed (invocation {outcome.InvocationId}): {outcome.Error}");
    }
}
