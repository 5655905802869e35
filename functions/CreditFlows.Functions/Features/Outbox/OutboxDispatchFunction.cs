using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Outbox;

/// <summary>
/// Queue function <c>OutboxDispatch</c> (queue <c>outbox</c>): loads the entry a message points at, runs the
/// handler for its kind, and stamps it dispatched. An entry already dispatched is skipped, so a message
/// delivered twice does nothing the second time. An unknown kind or a failing handler fails the invocation,
/// which is retried and finally lands in <c>outbox-poison</c>.
/// </summary>
public sealed partial class OutboxDispatchFunction(
    TableServiceClient tables,
    IEnumerable<IOutboxHandler> handlers,
    TimeProvider time,
    ILogger<OutboxDispatchFunction> logger) : IFunctionHandler
{
    public const string Name = "OutboxDispatch";

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        var pointer = ReadPointer(request.GetString("message"));
        var table = tables.GetTableClient(pointer.Table);
        var result = InvocationResult.Empty();

        // Entries of one message run in order; if one fails the message is retried and the ones done are skipped.
        foreach (var rowKey in pointer.AllRowKeys)
        {
            result.Log(await DispatchAsync(table, pointer.PartitionKey, rowKey, cancellationToken));
        }

        return result;
    }

    private async Task<string> DispatchAsync(TableClient table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        OutboxEntry entry;
        try
        {
            entry = (await table.GetEntityAsync<OutboxEntry>(partitionKey, rowKey, cancellationToken: cancellationToken)).Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new InvalidOperationException($"Outbox entry {table.Name}/{partitionKey}/{rowKey} does not exist.", ex);
        }

        if (entry.DispatchedAt is not null)
        {
            LogAlreadyDispatched(logger, entry.Kind, rowKey);
            return $"{entry.Kind} {rowKey} was already dispatched at {entry.DispatchedAt:O}.";
        }

        var handler = handlers.FirstOrDefault(h => h.Kind == entry.Kind)
            ?? throw new InvalidOperationException($"No outbox handler for kind '{entry.Kind}'.");
        await handler.HandleAsync(entry, cancellationToken);

        entry.DispatchedAt = time.GetUtcNow();
        entry.Pending = false;
        try
        {
            await table.UpdateEntityAsync(entry, entry.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            // Another delivery of the same message dispatched it meanwhile; handlers are idempotent.
        }

        LogDispatched(logger, entry.Kind, rowKey);
        return $"Dispatched {entry.Kind} {rowKey}.";
    }

    private static OutboxPointer ReadPointer(string message)
    {
        OutboxPointer? pointer;
        try
        {
            pointer = JsonSerializer.Deserialize<OutboxPointer>(message);
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException($"The outbox message is not JSON: {ex.Message}");
        }

        if (pointer is null || string.IsNullOrEmpty(pointer.PartitionKey) || pointer.RowKey?.StartsWith(OutboxEntry.RowKeyPrefix, StringComparison.Ordinal) != true
            || pointer.RowKeys?.Any(k => k?.StartsWith(OutboxEntry.RowKeyPrefix, StringComparison.Ordinal) != true) == true)
        {
            throw new InvalidInvocationException("The outbox message must be {\"Table\",\"PartitionKey\",\"RowKey\"[,\"RowKeys\"]} naming outbox rows.");
        }

        if (!StorageNames.Tables.All.Contains(pointer.Table))
        {
            throw new InvalidInvocationException($"The outbox message names table '{pointer.Table}', which is not one of the app's tables.");
        }

        return pointer;
    }

    [LoggerMessage(LogLevel.Information, "Outbox: dispatched {Kind} {RowKey}")]
    private static partial void LogDispatched(ILogger logger, string kind, string rowKey);

    [LoggerMessage(LogLevel.Information, "Outbox: {Kind} {RowKey} was already dispatched; nothing to do")]
    private static partial void LogAlreadyDispatched(ILogger logger, string kind, string rowKey);
}
