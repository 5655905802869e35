using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace CreditFlows.Functions.Storage;

/// <summary>Creates the app's tables, queues and containers at start; safe to run on every start and on every instance.</summary>
public sealed partial class StorageInitializer(
    TableServiceClient tables,
    QueueServiceClient queues,
    BlobServiceClient blobs,
    ILogger<StorageInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(
                Task.WhenAll(StorageNames.Tables.All.Select(name => tables.CreateTableIfNotExistsAsync(name, cancellationToken))),
                Task.WhenAll(StorageNames.Queues.All.Select(name => queues.GetQueueClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken))),
                Task.WhenAll(StorageNames.Containers.All.Select(name => blobs.GetBlobContainerClient(name).CreateIfNotExistsAsync(cancellationToken: cancellationToken))));
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            LogStorageUnreachable(logger, ex);
            throw new InvalidOperationException($"Storage could not be prepared ({ex.Message}). Is Azurite running, or is AzureWebJobsStorage right?", ex);
        }

        LogStorageReady(logger, StorageNames.Tables.All.Count, StorageNames.Queues.All.Count, StorageNames.Containers.All.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Storage ready: {Tables} tables, {Queues} queues, {Containers} containers")]
    private static partial void LogStorageReady(ILogger logger, int tables, int queues, int containers);

    [LoggerMessage(LogLevel.Critical, "Storage could not be prepared")]
    private static partial void LogStorageUnreachable(ILogger logger, Exception exception);
}
