using System.Text.Json;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Timer function <c>NplDailyMonitor</c> (schedule <c>%Npl__Schedule%</c>): starts the day's run by putting the
/// day (the extract's date, and the local cut-off for retries) on the day queue, so that the work, and any
/// retry of a missing extract, is durable.
/// </summary>
public sealed class NplDailyMonitorFunction(NplDayPreparer preparer, NplStorage storage) : ITimerFunction
{
    public const string Name = "NplDailyMonitor";

    public async Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken)
    {
        var day = preparer.Today();
        await storage.DayQueue.SendMessageAsync(JsonSerializer.Serialize(day, NplRuns.Json), cancellationToken);
        return InvocationResult.Empty().Log($"NPL run for {NplStorage.Day(day.Date)} queued (retries until {day.RetryUntil:O}).");
    }
}

/// <summary>Queue function <c>NplPrepareDay</c> (queue <c>%Npl__DayQueue%</c>): reads, checks and splits the day's extract.</summary>
public sealed class NplPrepareDayFunction(NplDayPreparer preparer) : IQueueFunction
{
    public const string Name = "NplPrepareDay";

    public async Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken)
    {
        var day = QueueMessages.Read<DayMessage>(message, NplRuns.Json);
        if (day.Date == default || day.Attempt < 1)
        {
            throw new InvalidInvocationException("A day message needs a date and an attempt of 1 or more.");
        }

        return InvocationResult.Empty().Log(await preparer.PrepareAsync(day, cancellationToken));
    }
}

/// <summary>Queue function <c>NplShard</c> (queue <c>%Npl__ShardQueue%</c>): classifies one branch shard; the last one builds the summary.</summary>
public sealed class NplShardFunction(NplShardWorker worker) : IQueueFunction
{
    public const string Name = "NplShard";

    public async Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken)
    {
        var shard = QueueMessages.Read<ShardMessage>(message, NplRuns.Json);
        if (shard.Date == default || string.IsNullOrEmpty(shard.RunId) || !Domain.Identity.BranchId.TryParse(shard.Branch, out _)
            || shard.Count < 1 || shard.Index < 0 || shard.Index >= shard.Count)
        {
            throw new InvalidInvocationException("A shard message needs a date, a run id, a branch and an index below its count.");
        }

        return InvocationResult.Empty().Log(await worker.RunAsync(shard, cancellationToken));
    }
}
