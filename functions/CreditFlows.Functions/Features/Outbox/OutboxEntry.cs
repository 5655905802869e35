using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace CreditFlows.Functions.Features.Outbox;

/// <summary>
/// A side effect recorded in the same table partition, and the same transaction, as the change that caused
/// it; dispatched afterwards by <c>OutboxDispatch</c>. Row keys sort newest first.
/// </summary>
public sealed class OutboxEntry : ITableEntity
{
    public const string RowKeyPrefix = "outbox-";

    public string PartitionKey { get; set; } = string.Empty;

    public string RowKey { get; set; } = string.Empty;

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public string Kind { get; set; } = string.Empty;

    /// <summary>JSON the handler of <see cref="Kind"/> understands.</summary>
    public string Payload { get; set; } = "{}";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DispatchedAt { get; set; }

    /// <summary>True until dispatched: what <c>OutboxSweep</c> looks for (tables cannot query for a missing property).</summary>
    public bool Pending { get; set; }
}

/// <summary>
/// Where outbox entries are: the queue message <c>OutboxDispatch</c> receives. One message may name all the
/// entries one transaction wrote (<see cref="RowKeys"/>), so a transition costs one queue send, not one per effect.
/// </summary>
public sealed record OutboxPointer(string Table, string PartitionKey, string RowKey, IReadOnlyList<string>? RowKeys = null)
{
    public IReadOnlyList<string> AllRowKeys => RowKeys is { Count: > 0 } keys ? keys : [RowKey];

    /// <summary>One pointer for entries of one partition (all of one transaction's).</summary>
    public static OutboxPointer Together(IReadOnlyList<OutboxPointer> pointers) =>
        pointers.Count == 1 ? pointers[0] : new(pointers[0].Table, pointers[0].PartitionKey, pointers[0].RowKey, [.. pointers.Select(p => p.RowKey)]);
}

/// <summary>
/// A queue message naming outbox entries of several transactions, possibly in different partitions and tables:
/// what <see cref="OutboxNotifier"/> sends when commits arrive faster than one queue send.
/// </summary>
public sealed record OutboxBatch(IReadOnlyList<OutboxPointer> Pointers)
{
    /// <summary>Queue messages are at most 64 KiB; a batch stays well below.</summary>
    public const int MaxMessageChars = 48 * 1024;

    public static string Message(IReadOnlyList<OutboxPointer> pointers) =>
        pointers.Count == 1 ? JsonSerializer.Serialize(pointers[0]) : JsonSerializer.Serialize(new OutboxBatch(pointers));
}

/// <summary>
/// Performs the side effects of one kind of outbox entry. Delivery is at least once: a handler must be
/// idempotent (the entry's table, partition and row key identify it).
/// </summary>
public interface IOutboxHandler
{
    string Kind { get; }

    Task HandleAsync(OutboxEntry entry, CancellationToken cancellationToken);
}
