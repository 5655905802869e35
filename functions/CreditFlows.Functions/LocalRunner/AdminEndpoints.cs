using System.Text.Json;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// Runs a non-HTTP function now, as the Functions host's admin API does (<c>POST /admin/functions/{name}</c>
/// with <c>{"input": "..."}</c>): a timer gets a TimerInfo, a queue function gets the input as its message.
/// <c>/admin/functions/{name}</c> exists only where the local runner runs (loopback, like <c>func start</c>);
/// <c>/api/admin/functions/{name}</c> works everywhere and needs the <c>HqAdmin</c> role.
/// </summary>
public static class AdminEndpoints
{
    public sealed record RunRequest(string? Input);

    public sealed record RunResponse(string Function, string InvocationId, IReadOnlyList<string> Logs, JsonElement? ReturnValue);

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder endpoints, bool localRunner)
    {
        if (localRunner)
        {
            endpoints.MapPost("/admin/functions/{name}", (string name, HttpContext context, FunctionApp app, FunctionDispatcher dispatcher, CancellationToken cancellationToken) =>
                    context.Connection.RemoteIpAddress is { } remote && System.Net.IPAddress.IsLoopback(remote)
                        ? RunAsync(name, context.Request, app, dispatcher, cancellationToken)
                        : Task.FromResult(Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                            detail: "/admin/functions is for this machine only; use /api/admin/functions as an HqAdmin.")))
                .ExcludeFromDescription();
        }

        endpoints.MapPost("/api/admin/functions/{name}", RunAsync)
            .RequireRoles(Role.HqAdmin)
            .WithTags("Admin")
            .WithSummary("Runs a timer or queue function now (HqAdmin).")
            .Produces<RunResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status502BadGateway);
        return endpoints;
    }

    private static async Task<IResult> RunAsync(string name, HttpRequest request, FunctionApp app, FunctionDispatcher dispatcher, CancellationToken cancellationToken)
    {
        var function = app.Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && !f.IsHttp);
        if (function is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such function",
                detail: $"There is no timer or queue function named '{name}'. Functions: {string.Join(", ", app.Functions.Where(f => !f.IsHttp).Select(f => f.Name))}.");
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

        JsonNode? value = function.TriggerType.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase)
            ? JsonSerializer.SerializeToNode(new TimerInfo(new TimerSchedule(true), null, IsPastDue: false), HostJsonContext.Default.TimerInfo)
            : JsonSerializer.Serialize(input ?? string.Empty);
        var outcome = await dispatcher.InvokeAsync(function.Name, new JsonObject { [function.BindingName] = value }, metadata: null, cancellationToken);
        return outcome.Succeeded
            ? Results.Accepted(value: ToResponse(function.Name, outcome))
            : Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The function failed",
                detail: $"{function.Name} answered HTTP {outcome.StatusCode} (invocation {outcome.InvocationId}).");
    }

    private static RunResponse ToResponse(string function, DispatchOutcome outcome)
    {
        var result = JsonSerializer.Deserialize<InvocationReply>(outcome.Body);
        return new RunResponse(function, outcome.InvocationId, result?.Logs ?? [], result?.ReturnValue);
    }

    private sealed record InvocationReply(List<string>? Logs, JsonElement? ReturnValue);
}
