using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;

namespace CreditFlows.Bench;

/// <summary>
/// The baseline: what the store alone costs. Per simulated application one partition; each transition is one
/// entity-group transaction that replaces the state row on its ETag (adds it, for the first) and adds the event
/// row, the same two rows a workflow transition writes, without HTTP, the domain, the read before the write,
/// the idempotency record or the outbox. The rows are copies of a real application's rows from the workflow
/// run, so the payload is the same size. The ETag for the next write comes from the transaction's answer.
/// </summary>
public sealed class RawLoop(TableClient table, TableEntity stateTemplate, IReadOnlyList<TableEntity> eventTemplates)
{
    private long _errors;
    private long _etagReads;

    public Latencies All { get; } = new();

    public ConcurrentQueue<string> Failures { get; } = new();

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>A client's pause after each transaction, as for the workflow's clients.</summary>
    public TimeSpan ThinkTime { get; init; }

    /// <summary>How often a transaction's answer lacked the state row's ETag and it had to be read (should be 0).</summary>
    public long ETagReads => Interlocked.Read(ref _etagReads);

    public async Task<(long Transitions, TimeSpan Wall)> RunAsync(string run, int apps, int concurrency)
    {
        var next = -1;
        long done = 0;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < apps)
            {
                Interlocked.Add(ref done, await DriveAsync($"raw-{run}-{index:D6}"));
            }
        })));
        return (done, Stopwatch.GetElapsedTime(started));
    }

    private async Task<int> DriveAsync(string partition)
    {
        ETag? etag = null;
        for (var version = 1; version <= eventTemplates.Count; version++)
        {
            var state = Copy(stateTemplate, partition, stateTemplate.RowKey);
            state["Version"] = version;
            var evt = Copy(eventTemplates[version - 1], partition, eventTemplates[version - 1].RowKey);
            TableTransactionAction[] actions =
            [
                etag is { } e ? new(TableTransactionActionType.UpdateReplace, state, e) : new(TableTransactionActionType.Add, state),
                new(TableTransactionActionType.Add, evt),
            ];

            var started = Stopwatch.GetTimestamp();
            try
            {
                var response = await table.SubmitTransactionAsync(actions);
                All.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                etag = response.Value[0].Headers.ETag;
                if (ThinkTime > TimeSpan.Zero)
                {
                    await Task.Delay(ThinkTime);
                }

                if (etag is null)
                {
                    Interlocked.Increment(ref _etagReads);
                    etag = (await table.GetEntityAsync<TableEntity>(partition, stateTemplate.RowKey, ["Version"])).Value.ETag;
                }
            }
            catch (Exception ex) when (ex is RequestFailedException or TableTransactionFailedException or HttpRequestException)
            {
                Interlocked.Increment(ref _errors);
                Failures.Enqueue($"{partition} transition {version}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
                return version - 1;
            }
        }

        return eventTemplates.Count;
    }

    private static TableEntity Copy(TableEntity template, string partition, string rowKey)
    {
        var copy = new TableEntity(partition, rowKey);
        foreach (var (key, value) in template)
        {
            if (key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag"))
            {
                copy[key] = value;
            }
        }

        return copy;
    }
}
