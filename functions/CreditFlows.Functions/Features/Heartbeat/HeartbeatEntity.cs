using Azure;
using Azure.Data.Tables;

namespace CreditFlows.Functions.Features.Heartbeat;

/// <summary>One firing of the <c>Heartbeat</c> timer. Row keys sort newest first.</summary>
public sealed class HeartbeatEntity : ITableEntity
{
    public const string Partition = "heartbeat";
    public const string RowKeyPrefix = "beat-";

    public string PartitionKey { get; set; } = Partition;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public DateTimeOffset FiredAt { get; set; }

    /// <summary>The occurrence the timer ran for (the schedule's Next at invocation), when the host said.</summary>
    public DateTimeOffset? ScheduledFor { get; set; }

    public bool IsPastDue { get; set; }

    public string Instance { get; set; } = string.Empty;

    /// <summary>When the queue path (outbox → queue → OutboxDispatch) came back to this row.</summary>
    public DateTimeOffset? QueueRoundTripAt { get; set; }

    public static string RowKeyFor(DateTimeOffset firedAt) => $"{RowKeyPrefix}{DateTime.MaxValue.Ticks - firedAt.UtcTicks:D19}";
}
