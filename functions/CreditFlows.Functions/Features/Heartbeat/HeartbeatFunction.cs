using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Heartbeat;

/// <summary>
/// Timer function <c>Heartbeat</c> (every 5 minutes): proves that timers fire and that the queue path works
/// end to end in this deployment. Each firing writes a heartbeat row and, in the same transaction, an outbox
/// entry whose dispatch stamps the row's <c>QueueRoundTripAt</c>. <c>GET /api/health</c> shows the latest.
/// Rows older than the retention period are removed.
/// </summary>
public sealed partial class HeartbeatFunction(
    TableServiceClient tables,
    TransactionalOutbox outbox,
    TimeProvider time,
    ILogger<HeartbeatFunction> logger) : ITimerFunction
{
    public const string Name = "Heartbeat";
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    public async Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var beat = new HeartbeatEntity
        {
            RowKey = HeartbeatEntity.RowKeyFor(now),
            FiredAt = now,
            ScheduledFor = timer.ScheduleStatus is { Next: var next } && next != default ? new DateTimeOffset(DateTime.SpecifyKind(next, DateTimeKind.Utc)) : null,
            IsPastDue = timer.IsPastDue,
            Instance = Environment.MachineName,
        };

        var table = tables.GetTableClient(StorageNames.Tables.Heartbeats);
        var stageOutbox = outbox.Stage(StorageNames.Tables.Heartbeats, HeartbeatEntity.Partition, HeartbeatRoundTripHandler.KindName,
            new HeartbeatRoundTripHandler.Payload(beat.RowKey), out var pointer);
        await table.SubmitTransactionAsync([new TableTransactionAction(TableTransactionActionType.UpsertReplace, beat), stageOutbox], cancellationToken);
        await outbox.NotifyAsync(pointer, cancellationToken);

        var pruned = await PruneAsync(table, now - Retention, cancellationToken);
        LogBeat(logger, beat.RowKey, timer.IsPastDue, pruned);
        var result = InvocationResult.Empty().Log($"Heartbeat {beat.RowKey} recorded (past due: {timer.IsPastDue}); {pruned} old rows removed.");
        result.ReturnValue = beat.RowKey;
        return result;
    }

    private static async Task<int> PruneAsync(TableClient table, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        // Older rows have larger (inverted-tick) row keys: everything from the cutoff's key to the end of each prefix.
        var inverted = $"{DateTime.MaxValue.Ticks - cutoff.UtcTicks:D19}";
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {HeartbeatEntity.Partition} and ((RowKey gt {HeartbeatEntity.RowKeyPrefix + inverted} and RowKey lt {"beat."}) or (RowKey gt {OutboxEntry.RowKeyPrefix + inverted} and RowKey lt {"outbox."}))");
        var removed = 0;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
                removed++;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Another instance removed it.
            }
        }

        return removed;
    }

    [LoggerMessage(LogLevel.Information, "Heartbeat {RowKey} recorded (past due {IsPastDue}); {Pruned} old rows removed")]
    private static partial void LogBeat(ILogger logger, string rowKey, bool isPastDue, int pruned);
}
