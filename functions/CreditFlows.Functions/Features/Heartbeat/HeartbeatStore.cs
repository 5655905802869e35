using Azure.Data.Tables;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Heartbeat;

public sealed class HeartbeatStore(TableServiceClient tables)
{
    public async Task<HeartbeatEntity?> LatestAsync(CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {HeartbeatEntity.Partition} and RowKey gt {HeartbeatEntity.RowKeyPrefix} and RowKey lt {"beat."}");
        await foreach (var beat in tables.GetTableClient(StorageNames.Tables.Heartbeats).QueryAsync<HeartbeatEntity>(filter, maxPerPage: 1, cancellationToken: cancellationToken))
        {
            return beat;
        }

        return null;
    }
}
