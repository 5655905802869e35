using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Outbox;

/// <summary>
/// Queue function <c>OutboxDispatch</c> (queue <c>outbox</c>): loads the entries a message points at (one
/// <see cref="OutboxPointer"/>, or an <see cref="OutboxBatch"/> of them), runs the handler for each kind, and
/// stamps each dispatched. An entry already dispatched is skipped, so a message delivered twice does nothing the
/// second time. An unknown kind or a failing handler fails the invocation (after the batch's other pointers had
/// their turn), which is retried and finally lands in <c>outbox-poison</c>.
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
        var pointers = ReadPointers(request.GetString("message"));
        var result = InvocationResult.Empty();
        if (pointers.Count == 1)
        {
            foreach (var line in await DispatchAsync(pointers[0], cancellationToken))
            {
                result.Log(line);
            }

            return result;
        }

        // Pointers of a batch belong to different transitions: they run side by side, and one failing does not
        // hold up the others. The message is retried if any failed; the ones done are skipped then.
        var logs = new string[pointers.Count][];
        var failures = new Exception?[pointers.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, pointers.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (n, ct) =>
            {
                try
                {
                    logs[n] = await DispatchAsync(pointers[n], ct);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    (logs[n], failures[n]) = ([], ex);
                }
            });
        foreach (var line in logs.SelectMany(l => l))
        {
            result.Log(line);
        }

        return failures.FirstOrDefault(f => f is not null) is { } first
            ? throw new InvalidOperationException($"{failures.Count(f => f is not null)} of {pointers.Count} outbox pointers failed; first: {first.Message}", first)
            : result;
    }

    /// <summary>Entries of one pointer (one transaction's) run in order; if one fails, the rest wait for the retry.</summary>
    private async Task<string[]> DispatchAsync(OutboxPointer pointer, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(pointer.Table);
        var lines = new List<string>();
        foreach (var rowKey in pointer.AllRowKeys)
        {
            lines.Add(await DispatchAsync(table, pointer.PartitionKey, rowKey, cancellationToken));
        }

        return [.. lines];
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

    private static IReadOnlyList<OutboxPointer> ReadPointers(string message)
    {
        IReadOnlyList<OutboxPointer?> pointers;
        try
        {
            using var document = JsonDocument.Parse(message);
            pointers = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(nameof(OutboxBatch.Pointers), out _)
                ? [.. document.RootElement.Deserialize<OutboxBatch>()?.Pointers ?? []]
                : [document.RootElement.Deserialize<OutboxPointer>()];
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException($"The outbox message is not JSON: {ex.Message}");
        }

        if (pointers.Count == 0)
        {
            throw new InvalidInvocationException("The outbox batch names no pointers.");
        }

        return [.. pointers.Select(Checked)];
    }

    private static OutboxPointer Checked(OutboxPointer? pointer)
    {
        if (pointer is null || string.IsNullOrEmpty(pointer.PartitionKey) || pointer.RowKey?.StartsWith(OutboxEntry.RowKeyPrefix, StringComparison.Ordinal) != true
            || pointer.RowKeys?.Any(k => k?.StartsWith(OutboxEntry.RowKeyPrefix, StringComparison.Ordinal) != true) == true)
        {
            throw new InvalidInvocationException("The outbox message must be {\"Table\",\"PartitionKey\",\"RowKey\"[,\"RowKeys\"]} naming outbox rows, or {\"Pointers\":[...]} of them.");
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
