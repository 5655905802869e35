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
    NplThresholdsSource thresholdsSource, BusinessClock clock, NplJobMeter meter, IOptions<NplOptions> options, ILogger<NplShardWorker> logger)
{
    private readonly NplOptions _options = options.Value;

    public async Task<string> RunAsync(ShardMessage shard, CancellationToken cancellationToken)
    {
        var branch = BranchId.Parse(shard.Branch);
        List<LoanRecord> today;
        using (meter.Time("shard.1 read staged rows"))
        {
            today = await ReadStagedAsync(shard, cancellationToken);
        }

        Dictionary<string, LoanSnapshot>? baseline = null;
        using (meter.Time("shard.2 read baseline snapshot"))
        {
            baseline = shard.Baseline is { } b ? await ReadBaselineAsync(b, shard, cancellationToken) : null;
        }

        Dictionary<string, (LoanOverride Override, ETag ETag)> manual;
        Dictionary<string, LendingResponsibility> linked;
        NplThresholds thresholds;
        using (meter.Time("shard.3 read overrides, links, thresholds"))
        {
            manual = await overrides.ForBranchAsync(branch, cancellationToken);
            linked = await links.ForBranchAsync(branch, cancellationToken);
            thresholds = await thresholdsSource.ForDateAsync(shard.Date, cancellationToken); // those in force on the extract's date
        }

        ShardResult result;
        using (meter.Time("shard.4 classify and diff"))
        {
            result = DailyClassification.Run(shard.Date, shard.Branch, thresholds.Classification, today,
                baseline, manual.ToDictionary(m => m.Key, m => m.Value.Override, StringComparer.Ordinal),
                loan => linked.TryGetValue(loan.LoanId, out var people) ? people : LendingResponsibility.ExtractOfficer(loan.OfficerId));
        }

        using (meter.Time("shard.5 write ledger"))
        {
            await WriteLedgerAsync(shard, result, cancellationToken);
        }

        using (meter.Time("shard.6 write overrides"))
        {
            await WriteOverridesAsync(shard, result, manual, cancellationToken);
        }

        using (meter.Time("shard.7 write snapshot and totals"))
        {
            await WriteSnapshotAsync(shard, result.Snapshot, cancellationToken);
            await storage.Data.GetBlobClient($"{NplStorage.AggregatePrefix(shard.Date, shard.RunId)}{shard.Branch}-{shard.Index}.json")
                .UploadAsync(BinaryData.FromObjectAsJson(result.Aggregate, NplRuns.Json), overwrite: true, cancellationToken);
            meter.Count("blobs: snapshot + totals", 2);
        }

        using (meter.Time("shard.8 new-NPL alerts"))
        {
            var warnings = result.Changes.Select(c => EarlyWarnings.ForNewNpl(shard.Date, branch, c, thresholds.Warnings)).OfType<EarlyWarning>().ToList();
            meter.Count("alerts sent (new NPL)", await alerts.SendEachOnceAsync(shard.Date, warnings, cancellationToken));
        }

        int done;
        DayRun? run;
        using (meter.Time("shard.9 completion row and count"))
        {
            done = await runs.CompleteShardAsync(shard, result.Snapshot.Count, result.Changes.Count, cancellationToken);
            run = await runs.FindAsync(shard.Date, cancellationToken);
            meter.Count("table entities: run completion rows", 1);
        }

        var line = $"{NplStorage.Day(shard.Date)} {shard.Branch} shard {shard.Index + 1}/{shard.Count}: {result.Snapshot.Count} loans, {result.Changes.Count} ledger change(s); {done} shard(s) of the run done.";
        LogShard(logger, shard.Date, shard.Branch, shard.Index, result.Snapshot.Count, result.Changes.Count);
        if (run is { Status: RunStatus.Running } && run.RunId == shard.RunId && done >= run.ShardCount)
        {
            using (meter.Time("shard.10 summary (last shard)"))
            {
                line += " " + await summary.BuildAsync(run, cancellationToken);
            }
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
            if (NplLedgerRows.HasHistoryRow(change))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, NplLedgerRows.History(shard.Branch, shard.Date, change)));
            }
        }

        meter.Count("table entities: ledger rows", result.Changes.Count);
        meter.Count("table entities: ledger history rows", actions.Count - result.Changes.Count);
        meter.Count("table transactions: ledger", (actions.Count + 99) / 100);
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
                meter.Count("table entities: override rows + audit rows", 2);
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
        await using (var buffered = new BufferedStream(zip, 1 << 16)) // BinaryWriter writes field by field: one deflate call per field without it
        await using (var writer = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
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
