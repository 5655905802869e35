using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Heartbeat;

/// <summary>Outbox kind <c>heartbeat.roundtrip</c>: stamps the heartbeat row that the queue path has come back.</summary>
public sealed class HeartbeatRoundTripHandler(TableServiceClient tables, TimeProvider time) : IOutboxHandler
{
    public const string KindName = "heartbeat.roundtrip";

    public sealed record Payload(string RowKey);

    public string Kind => KindName;

    public async Task HandleAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var payload = JsonSerializer.Deserialize<Payload>(entry.Payload)
            ?? throw new InvalidOperationException($"Outbox entry {entry.RowKey} has no heartbeat payload.");
        var stamp = new TableEntity(HeartbeatEntity.Partition, payload.RowKey) { [nameof(HeartbeatEntity.QueueRoundTripAt)] = time.GetUtcNow() };
        try
        {
            await tables.GetTableClient(StorageNames.Tables.Heartbeats).UpdateEntityAsync(stamp, ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The beat was pruned before its round trip completed: nothing left to stamp.
        }
    }
}
