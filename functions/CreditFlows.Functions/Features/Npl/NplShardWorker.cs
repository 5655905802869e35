using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Runs one shard of one branch: reads its staged loans, yesterday's snapshot of the same loans (one blob, not a
/// row per loan), the branch's overrides and workflow links; classifies; writes the ledger rows of loans that are
/// or were NPL and changed (100 per transaction), the override changes, today's snapshot and the shard's totals;
/// records the shard as done; and the shard that completes the run builds the day's summary. Every write is
/// keyed by the date, so running a shard again writes the same rows.
/// </summary>
public sealed partial class NplShardWorker(
    NplStorage storage, NplRuns runs, NplLinks links, NplOverrideStore overrides, NplAlerts alerts, NplSummaryBuilder summary,
    NplThresholdsSource thresholdsSource, BusinessClock clock, IOptions<NplOptions> options, ILogger<NplShardWorker> logger)
{
    private readonly NplOptions _options = options.Value;

    public async Task<string> RunAsync(ShardMessage shard, CancellationToken cancellationToken)
    {
        var branch = BranchId.Parse(shard.Branch);
        var today = await ReadStagedAsync(shard, cancellationToken);
        var baseline = shard.Baseline is { } b ? await ReadBaselineAsync(b, shard, cancellationToken) : null;
        var manual = await overrides.ForBranchAsync(branch, cancellationToken);
        var linked = await links.ForBranchAsync(branch, cancellationToken);
        var thresholds = await thresholdsSource.ForDateAsync(shard.Date, cancellationToken); // those in force on the extract's date
        var result = DailyClassification.Run(shard.Date, shard.Branch, thresholds.Classification, today,
            baseline, manual.ToDictionary(m => m.Key, m => m.Value.Override, StringComparer.Ordinal),
            loan => linked.TryGetValue(loan.LoanId, out var people) ? people : LendingResponsibility.ExtractOfficer(loan.OfficerId));

        await WriteLedgerAsync(shard, result, cancellationToken);
        await WriteOverridesAsync(shard, result, manual, cancellationToken);
        await WriteSnapshotAsync(shard, result.Snapshot, cancellationToken);
        await storage.Data.GetBlobClient($"{NplStorage.AggregatePrefix(shard.Date, shard.RunId)}{shard.Branch}-{shard.Index}.json")
            .UploadAsync(BinaryData.FromObjectAsJson(result.Aggregate, NplRuns.Json), overwrite: true, cancellationToken);

        foreach (var change in result.Changes)
        {
            if (EarlyWarnings.ForNewNpl(shard.Date, branch, change, thresholds.Warnings) is { } warning)
            {
                await alerts.SendOnceAsync(shard.Date, warning, cancellationToken);
            }
        }

        var done = await runs.CompleteShardAsync(shard, result.Snapshot.Count, result.Changes.Count, cancellationToken);
        var run = await runs.FindAsync(shard.Date, cancellationToken);
        var line = $"{NplStorage.Day(shard.Date)} {shard.Branch} shard {shard.Index + 1}/{shard.Count}: {result.Snapshot.Count} loans, {result.Changes.Count} ledger change(s); {done} shard(s) of the run done.";
        LogShard(logger, shard.Date, shard.Branch, shard.Index, result.Snapshot.Count, result.Changes.Count);
        if (run is { Status: RunStatus.Running } && run.RunId == shard.RunId && done >= run.ShardCount)
        {
            line += " " + await summary.BuildAsync(run, cancellationToken);
        }

        return line;
    }

    private async Task<List<LoanRecord>> ReadStagedAsync(ShardMessage shard, CancellationToken cancellationToken)
    {
        var blob = storage.Data.GetBlobClient(NplStorage.StagingBlob(shard.Date, shard.RunId, shard.Branch, shard.Index, shard.Count));
        await using var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken);
        await using var unzip = new GZipStream(stream, CompressionMode.Decompress);
        using var buffered = new BufferedStream(unzip, 1 << 16);
        return LoanCodec.ReadRecords(buffered).ToList();
    }

    private async Task<Dictionary<string, LoanSnapshot>> ReadBaselineAsync(DateOnly baseline, ShardMessage shard, CancellationToken cancellationToken)
    {
        var map = new Dictionary<string, LoanSnapshot>(StringComparer.Ordinal);
        if (shard.BaselineCount == 0)
        {
            return map; // The branch is new: every loan is new to the book.
        }

        var same = shard.BaselineCount == shard.Count;
        foreach (var index in same ? [shard.Index] : Enumerable.Range(0, shard.BaselineCount))
        {
            var blob = storage.Data.GetBlobClient(NplStorage.SnapshotBlob(baseline, shard.Branch, index, shard.BaselineCount));
            await using var stream = await blob.OpenReadAsync(cancellationToken: cancellationToken);
            await using var unzip = new GZipStream(stream, CompressionMode.Decompress);
            using var buffered = new BufferedStream(unzip, 1 << 16);
            foreach (var loan in LoanCodec.ReadSnapshots(buffered))
            {
                if (same || NplStorage.ShardOf(loan.LoanId, shard.Count) == shard.Index)
                {
                    map[loan.LoanId] = loan;
                }
            }
        }

        return map;
    }

    private async Task WriteLedgerAsync(ShardMessage shard, ShardResult result, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction>(result.Changes.Count * 2);
        foreach (var change in result.Changes)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, NplLedgerRows.Loan(shard.Branch, shard.Date, change)));
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, NplLedgerRows.History(shard.Branch, shard.Date, change)));
        }

        await Parallel.ForEachAsync(actions.Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = _options.WriteConcurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await storage.Ledger.SubmitTransactionAsync(batch, ct));
    }

    private async Task WriteOverridesAsync(ShardMessage shard, ShardResult result, Dictionary<string, (LoanOverride Override, ETag ETag)> manual, CancellationToken cancellationToken)
    {
        foreach (var change in result.Overrides)
        {
            var audit = NplLedgerRows.Audit(shard.Branch, change.After.LoanId, clock.Now, change.Lapsed ? "override-lapsed" : "override-basis", "NplDailyMonitor",
                new { date = NplStorage.Day(shard.Date), before = change.Before.Active, after = change.After.Active });
            try
            {
                await overrides.SaveAsync(change.After, manual[change.After.LoanId].ETag, audit, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 412)
            {
                // A person changed the override meanwhile; their version stands and tomorrow's run applies it.
            }
        }
    }

    private async Task WriteSnapshotAsync(ShardMessage shard, List<LoanSnapshot> snapshot, CancellationToken cancellationToken)
    {
        using var packed = new MemoryStream();
        await using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        await using (var writer = new BinaryWriter(zip, Encoding.UTF8, leaveOpen: true))
        {
            LoanCodec.WriteHeader(writer, snapshot: true);
            foreach (var loan in snapshot)
            {
                LoanCodec.Write(writer, loan);
            }

            LoanCodec.WriteEnd(writer);
        }

        packed.Position = 0;
        await storage.Data.GetBlobClient(NplStorage.SnapshotBlob(shard.Date, shard.Branch, shard.Index, shard.Count)).UploadAsync(packed, overwrite: true, cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "NPL {Date} {Branch} shard {Index}: {Loans} loans, {Changes} ledger changes")]
    private static partial void LogShard(ILogger logger, DateOnly date, string branch, int index, int loans, int changes);
}
