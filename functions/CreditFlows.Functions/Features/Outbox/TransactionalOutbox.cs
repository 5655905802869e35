using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Outbox;

/// <summary>
/// The transactional outbox. <see cref="Stage"/> adds an entry to the caller's table transaction, so the
/// side effect is recorded if and only if the change is; after the transaction commits,
/// <see cref="NotifyAsync"/> queues a pointer for <c>OutboxDispatch</c>. Were the app to stop between the
/// two, the entry stays undispatched in the table, where a sweep finds it (see ARCHITECTURE.md).
/// </summary>
public class TransactionalOutbox(QueueServiceClient queues, TimeProvider time)
{
    public TableTransactionAction Stage(string table, string partitionKey, string kind, object payload, out OutboxPointer pointer)
    {
        var now = time.GetUtcNow();
        var entry = new OutboxEntry
        {
            PartitionKey = partitionKey,
            RowKey = $"{OutboxEntry.RowKeyPrefix}{DateTime.MaxValue.Ticks - now.UtcTicks:D19}-{Guid.NewGuid():N}",
            Kind = kind,
            Payload = JsonSerializer.Serialize(payload),
            CreatedAt = now,
            Pending = true,
        };
        pointer = new OutboxPointer(table, partitionKey, entry.RowKey);
        return new TableTransactionAction(TableTransactionActionType.Add, entry);
    }

    public Task NotifyAsync(OutboxPointer pointer, CancellationToken cancellationToken) => NotifyAsync([pointer], cancellationToken);

    /// <summary>Queues one message naming all <paramref name="pointers"/> (one pointer as itself, more as an <see cref="OutboxBatch"/>).</summary>
    public virtual async Task NotifyAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken) =>
        await queues.GetQueueClient(StorageNames.Queues.Outbox).SendMessageAsync(OutboxBatch.Message(pointers), cancellationToken);
}
