using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// The day's summary, built by whichever shard completes the run: the shards' totals merged per branch, per
/// officer, per responsible person and for the union; written as rows of <c>{P}Summaries</c> (partition = date; rows an
/// earlier run of the day wrote and this one did not are deleted) and as <c>days/{date}/summary.json</c>; then the branch
/// and officer early warnings; meanwhile the day's ledger export (<see cref="NplLedgerExport"/>); then the run is marked
/// complete, naming the export. Two shards finishing together may both build it: the
/// rows are the same and each alert goes once.
/// </summary>
public sealed class NplSummaryBuilder(NplStorage storage, NplRuns runs, NplAlerts alerts, BusinessClock clock, NplThresholdsSource thresholdsSource, NplJobMeter meter,
    NplLedgerExport ledgerExport)
{
    public const string UnionRow = "union";

    public static string BranchRow(string branch) => $"branch|{branch}";

    public static string OfficerRow(string branch, string officer) => $"officer|{branch}|{officer}";

    public static string PersonRow(string person) => $"person|{person}";

    public async Task<string> BuildAsync(DayRun run, CancellationToken cancellationToken)
    {
        var export = TimedAsync("summary.1 ledger export (beside the summary rows and warnings)", () => ledgerExport.WriteAsync(run, cancellationToken));
        var branches = new SortedDictionary<string, ShardAggregate>(StringComparer.Ordinal);
        await foreach (var item in storage.Data.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, NplStorage.AggregatePrefix(run.Date, run.RunId!), cancellationToken))
        {
            var content = await storage.Data.GetBlobClient(item.Name).DownloadContentAsync(cancellationToken);
            var shard = content.Value.Content.ToObjectFromJson<ShardAggregate>(NplRuns.Json)!;
            if (!branches.TryGetValue(shard.Branch, out var merged))
            {
                branches[shard.Branch] = merged = new ShardAggregate { Branch = shard.Branch };
            }

            merged.Merge(shard);
        }

        var union = new ShardAggregate { Branch = BranchId.Headquarters.Value };
        foreach (var branch in branches.Values)
        {
            union.Totals.Merge(branch.Totals);
            foreach (var (person, fen) in branch.ResponsibleNplFen)
            {
                union.ResponsibleNplFen[person] = union.ResponsibleNplFen.GetValueOrDefault(person) + fen;
            }
        }

        var day = NplStorage.Day(run.Date);
        var rows = new List<TableEntity> { Row(day, UnionRow, null, null, union.Totals) };
        foreach (var (id, branch) in branches)
        {
            rows.Add(Row(day, BranchRow(id), id, null, branch.Totals));
            rows.AddRange(branch.Officers.Select(o => Row(day, OfficerRow(id, o.Key), id, o.Key, o.Value)));
        }

        rows.AddRange(union.ResponsibleNplFen.Select(p => new TableEntity(day, PersonRow(p.Key)) { ["Person"] = p.Key, ["ResponsibleNplFen"] = p.Value }));
        meter.Count("table entities: summary rows", rows.Count);
        var written = rows.Where(r => NplAlerts.RowKey(r.RowKey) == r.RowKey).ToList();
        await Parallel.ForEachAsync(written.Chunk(100), cancellationToken,
            async (batch, ct) => await storage.Summaries.SubmitTransactionAsync(batch.Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)), ct));
        await DeleteStaleRowsAsync(day, written.Select(r => r.RowKey).ToHashSet(StringComparer.Ordinal), cancellationToken);
        await storage.Data.GetBlobClient(NplStorage.SummaryBlob(run.Date)).UploadAsync(
            BinaryData.FromObjectAsJson(new { date = day, run.RunId, union, branches }, NplRuns.Json), overwrite: true, cancellationToken);

        var thresholds = (await thresholdsSource.ForDateAsync(run.Date, cancellationToken)).Warnings; // those in force on the day
        var warnings = new List<EarlyWarning>();
        foreach (var (id, branch) in branches)
        {
            var weekAgo = await FindTotalsAsync(run.Date.AddDays(-7), BranchRow(id), cancellationToken);
            warnings.AddRange(EarlyWarnings.ForBranch(run.Date, BranchId.Parse(id), branch.Totals, weekAgo, thresholds));
        }

        warnings.AddRange(EarlyWarnings.ForOfficers(run.Date, union.ResponsibleNplFen, thresholds));
        var sent = await alerts.SendEachOnceAsync(run.Date, warnings, cancellationToken);
        meter.Count("alerts sent (branch, officer)", sent);

        var exported = await export;
        await runs.SaveAsync(run with { Status = RunStatus.Complete, UpdatedAt = clock.Now, LedgerExport = exported }, cancellationToken);
        return $"Day complete: {union.Totals.TotalCount} loans, NPL ratio {union.Totals.NplRatio:P2}, {sent} warning(s) sent.";
    }

    private async Task<T> TimedAsync<T>(string phase, Func<Task<T>> work)
    {
        using (meter.Time(phase))
        {
            return await work();
        }
    }

    public async Task<DayTotals?> FindTotalsAsync(DateOnly date, string row, CancellationToken cancellationToken)
    {
        var found = await storage.Summaries.GetEntityIfExistsAsync<TableEntity>(NplStorage.Day(date), row, cancellationToken: cancellationToken);
        return found.HasValue ? JsonSerializer.Deserialize<DayTotals>(found.Value!.GetString("Totals"), NplRuns.Json) : null;
    }

    /// <summary>
    /// A day run again (core banking re-sent a corrected extract) may no longer have a branch, officer or person of the
    /// earlier run: their rows would otherwise stay in the day's summary beside the new ones. (Deleting a row that is
    /// already gone succeeds, so two shards building the summary together do not trip over each other.)
    /// </summary>
    private async Task DeleteStaleRowsAsync(string day, HashSet<string> written, CancellationToken cancellationToken)
    {
        var stale = new List<string>();
        await foreach (var row in storage.Summaries.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {day}"), select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (!written.Contains(row.RowKey))
            {
                stale.Add(row.RowKey);
            }
        }

        foreach (var key in stale)
        {
            await storage.Summaries.DeleteEntityAsync(day, key, Azure.ETag.All, cancellationToken);
        }
    }

    private static TableEntity Row(string day, string key, string? branch, string? officer, DayTotals totals) => new(day, key)
    {
        ["Branch"] = branch ?? string.Empty,
        ["Officer"] = officer ?? string.Empty,
        ["TotalBalanceFen"] = totals.TotalBalanceFen,
        ["NplBalanceFen"] = totals.NplBalanceFen,
        ["NplRatio"] = totals.NplRatio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["OverdueBalanceFen"] = totals.OverdueBalanceFen,
        ["Totals"] = JsonSerializer.Serialize(totals, NplRuns.Json),
    };
}
