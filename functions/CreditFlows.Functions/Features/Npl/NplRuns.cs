using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace CreditFlows.Functions.Features.Npl;

public enum RunStatus
{
    Preparing = 1,
    Running = 2,
    Complete = 3,
    Missing = 4,
    GaveUp = 5,
    Rejected = 6,
}

/// <summary>A day to run, on queue <c>npl-days</c>: the extract's business date, and until when a missing one is looked for again.</summary>
public sealed record DayMessage(DateOnly Date, int Attempt, DateTimeOffset RetryUntil);

/// <summary>One shard of one branch for one run, on queue <c>npl-shards</c>. <see cref="Baseline"/> is the last complete day before.</summary>
public sealed record ShardMessage(DateOnly Date, string RunId, string Branch, int Index, int Count, DateOnly? Baseline, int BaselineCount);

/// <summary>The state of one business day's run (row <c>run</c> of partition = date in <c>{P}Runs</c>).</summary>
public sealed record DayRun(
    DateOnly Date,
    RunStatus Status,
    string? RunId,
    int Attempt,
    string? Extract,
    long Rows,
    long Rejected,
    IReadOnlyDictionary<string, int> Branches,
    DateOnly? Baseline,
    string? Problem,
    DateTimeOffset UpdatedAt,
    LedgerExportInfo? LedgerExport = null)
{
    public int ShardCount => Branches.Values.Sum();
}

/// <summary>
/// The ledger export a complete run wrote (<see cref="NplLedgerExport"/>): the branches exported, the lines kept (in NPL, or
/// out of it since <see cref="CuredSince"/>) and when the export began reading (rows edited from then on are in <c>{P}LedgerEdits</c>).
/// </summary>
public sealed record LedgerExportInfo(DateTimeOffset From, DateOnly CuredSince, IReadOnlyList<string> Branches);

/// <summary>Reads and writes the day run rows and the shards' completion rows.</summary>
public sealed class NplRuns(NplStorage storage)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private const string RunRow = "run";

    public async Task<DayRun?> FindAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var row = await storage.Runs.GetEntityIfExistsAsync<TableEntity>(NplStorage.Day(date), RunRow, cancellationToken: cancellationToken);
        return row.HasValue ? JsonSerializer.Deserialize<DayRun>(row.Value!.GetString("Doc"), Json) : null;
    }

    public Task SaveAsync(DayRun run, CancellationToken cancellationToken) =>
        storage.Runs.UpsertEntityAsync(new TableEntity(NplStorage.Day(run.Date), RunRow)
        {
            ["Status"] = run.Status.ToString(),
            ["RunId"] = run.RunId,
            ["Doc"] = JsonSerializer.Serialize(run, Json),
        }, TableUpdateMode.Replace, cancellationToken);

    /// <summary>The last day before <paramref name="date"/> whose run completed: the baseline to diff against.</summary>
    public async Task<DayRun?> LastCompleteBeforeAsync(DateOnly date, CancellationToken cancellationToken)
    {
        DayRun? best = null;
        var filter = TableClient.CreateQueryFilter($"RowKey eq {RunRow} and Status eq {nameof(RunStatus.Complete)} and PartitionKey lt {NplStorage.Day(date)}");
        await foreach (var row in storage.Runs.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "Doc"], cancellationToken: cancellationToken))
        {
            var run = JsonSerializer.Deserialize<DayRun>(row.GetString("Doc"), Json)!;
            if (best is null || run.Date > best.Date)
            {
                best = run;
            }
        }

        return best;
    }

    /// <summary>The latest day whose run completed (what the ledger's flags are reckoned against).</summary>
    public async Task<DateOnly?> LatestCompleteAsync(CancellationToken cancellationToken) =>
        (await LastCompleteBeforeAsync(DateOnly.MaxValue, cancellationToken))?.Date;

    /// <summary>Records a shard as done and answers how many shards of the run are done.</summary>
    public async Task<int> CompleteShardAsync(ShardMessage shard, long loans, long changes, CancellationToken cancellationToken)
    {
        await storage.Runs.UpsertEntityAsync(new TableEntity(NplStorage.Day(shard.Date), $"shard|{shard.RunId}|{shard.Branch}|{shard.Index}")
        {
            ["Loans"] = loans,
            ["Changes"] = changes,
        }, TableUpdateMode.Replace, cancellationToken);
        var prefix = $"shard|{shard.RunId}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {NplStorage.Day(shard.Date)} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var count = 0;
        await foreach (var _ in storage.Runs.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            count++;
        }

        return count;
    }

    public static bool IsConflict(RequestFailedException ex) => ex.Status == 409;
}
