using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CreditFlows.Functions.Features.Heartbeat;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Health;

/// <summary>
/// <c>GET /api/health</c>, anonymous (for load balancers and App Service health checks): 200 when table,
/// queue and blob storage answer, 503 problem+json naming the failing service otherwise. Also shows the last
/// heartbeat, so an operator sees whether timers fire and the queue path completes.
/// </summary>
public static class HealthEndpoints
{
    public sealed record Check(string Name, bool Healthy, long Milliseconds, string? Error);

    public sealed record HeartbeatView(DateTimeOffset FiredAt, bool IsPastDue, DateTimeOffset? QueueRoundTripAt);

    public sealed record HealthReport(string Status, IReadOnlyList<Check> Checks, HeartbeatView? LastHeartbeat);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", GetAsync)
            .AllowAnonymous()
            .WithTags("Health")
            .WithSummary("Storage reachability and the last heartbeat.")
            .Produces<HealthReport>()
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return endpoints;
    }

    private static async Task<IResult> GetAsync(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs, HeartbeatStore heartbeats, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        HeartbeatEntity? latest = null;
        var checks = await Task.WhenAll(
            RunAsync("tables", async () => latest = await heartbeats.LatestAsync(timeout.Token)),
            RunAsync("queues", () => queues.GetQueueClient(StorageNames.Queues.Outbox).GetPropertiesAsync(timeout.Token)),
            RunAsync("blobs", () => blobs.GetBlobContainerClient(StorageNames.Containers.WebJobsHosts).GetPropertiesAsync(cancellationToken: timeout.Token)));
        var beat = latest is null ? null : new HeartbeatView(latest.FiredAt, latest.IsPastDue, latest.QueueRoundTripAt);

        if (checks.All(c => c.Healthy))
        {
            return Results.Ok(new HealthReport("Healthy", checks, beat));
        }

        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Unhealthy",
            detail: $"Storage did not answer: {string.Join(", ", checks.Where(c => !c.Healthy).Select(c => $"{c.Name} ({c.Error})"))}.",
            extensions: new Dictionary<string, object?> { ["checks"] = checks });
    }

    private static async Task<Check> RunAsync(string name, Func<Task> probe)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            await probe();
            return new Check(name, true, watch.ElapsedMilliseconds, null);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or OperationCanceledException or AggregateException)
        {
            return new Check(name, false, watch.ElapsedMilliseconds, ex.GetType().Name);
        }
    }
}
