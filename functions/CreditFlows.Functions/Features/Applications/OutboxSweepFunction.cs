using Azure.Data.Tables;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Timer function <c>OutboxSweep</c> (every minute): finds outbox entries still pending some time after they
/// were written — the app stopped, or the queue failed, between the transaction and its notify — and queues
/// them for <c>OutboxDispatch</c>. Dispatch is idempotent, so sweeping an entry that is in flight is harmless.
/// </summary>
public sealed partial class OutboxSweepFunction(
    TableServiceClient tables,
    TransactionalOutbox outbox,
    TimeProvider time,
    IConfiguration configuration,
    ILogger<OutboxSweepFunction> logger) : IFunctionHandler
{
    public const string Name = "OutboxSweep";

    /// <summary>How old a pending entry must be before the sweep takes it (<c>Outbox:SweepGrace</c>): the normal path has had its chance.</summary>
    public static readonly TimeSpan DefaultGrace = TimeSpan.FromSeconds(30);

    private static readonly string[] SweptTables = [StorageNames.Tables.Applications, StorageNames.Tables.Heartbeats];

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - configuration.GetValue("Outbox:SweepGrace", DefaultGrace);
        var swept = 0;
        foreach (var name in SweptTables)
        {
            var filter = TableClient.CreateQueryFilter(
                $"RowKey ge {OutboxEntry.RowKeyPrefix} and RowKey lt {"outbox."} and Pending eq {true} and CreatedAt lt {cutoff}");
            await foreach (var row in tables.GetTableClient(name).QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                await outbox.NotifyAsync(new OutboxPointer(name, row.PartitionKey, row.RowKey), cancellationToken);
                swept++;
            }
        }

        if (swept > 0)
        {
            LogSwept(logger, swept);
        }

        var result = InvocationResult.Empty().Log($"{swept} pending outbox entries queued again.");
        result.ReturnValue = swept;
        return result;
    }

    [LoggerMessage(LogLevel.Warning, "Outbox sweep: {Count} pending entries queued again")]
    private static partial void LogSwept(ILogger logger, int count);
}
