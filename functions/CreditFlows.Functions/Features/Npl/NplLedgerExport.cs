using System.IO.Compression;
using Azure.Data.Tables;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// The day's ledger export, written by the summary step before the run is marked complete: for each branch, the ledger
/// lines the weekly report lists (loans in NPL, and those that left NPL in the last <see cref="CuredDays"/> days) in one
/// gzip blob <c>days/{date}/ledger/{branch}.bin.gz</c> (<see cref="LedgerLineCodec"/>). The weekly report reads these
/// 100 blobs instead of the ledger table row by row (BENCHMARKS.md, weekly report: on Azurite every partition query scans
/// the whole table). The export is as of the run; a person's later change to a ledger row (<c>PATCH /api/npl/loans/{id}</c>)
/// is marked first in <c>{P}LedgerEdits</c> (<see cref="MarkEditedAsync"/>), and the report reads those rows again from the
/// table, so it shows the ledger as it stands.
/// </summary>
public sealed class NplLedgerExport(NplStorage storage, NplRuns runs, BusinessClock clock, NplJobMeter meter)
{
    /// <summary>How far back the export keeps loans that left NPL: a report for a week whose Monday is earlier reads the table.</summary>
    public const int CuredDays = 35;

    /// <summary>How long the edit marks are kept: a report uses those from the day before its export began on.</summary>
    public const int EditMarkDays = 7;

    private const int ReadConcurrency = 8;

    public static string EditRow(string branch, string loanId) => $"{branch}|{loanId}";

    /// <summary>Marks a ledger row as changed by a person today (UTC). Call it before the change: a mark for a change that then fails only costs a read.</summary>
    public Task MarkEditedAsync(string branch, string loanId, CancellationToken cancellationToken) =>
        storage.LedgerEdits.UpsertEntityAsync(
            new TableEntity(NplStorage.Day(DateOnly.FromDateTime(clock.Now.UtcDateTime)), EditRow(branch, loanId)) { ["Branch"] = branch, ["LoanId"] = loanId },
            TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Exports the ledger of the run's branches and of the branches the baseline run had (a branch gone from today's extract
    /// keeps its ledger), and drops edit marks older than <see cref="EditMarkDays"/>.
    /// </summary>
    public async Task<LedgerExportInfo> WriteAsync(DayRun run, CancellationToken cancellationToken)
    {
        var from = clock.Now; // before the first read: a row changed after this is marked on this day or later
        var baseline = run.Baseline is { } b ? await runs.FindAsync(b, cancellationToken) : null;
        var branches = run.Branches.Keys
            .Concat(baseline?.Branches.Keys ?? []).Concat(baseline?.LedgerExport?.Branches ?? [])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var curedSince = run.Date.AddDays(-CuredDays);
        var lines = 0;
        await Parallel.ForEachAsync(branches, new ParallelOptions { MaxDegreeOfParallelism = ReadConcurrency, CancellationToken = cancellationToken },
            async (branch, ct) => Interlocked.Add(ref lines, await ExportBranchAsync(run.Date, branch, curedSince, ct)));
        meter.Count("ledger export lines", lines);
        await DropOldMarksAsync(DateOnly.FromDateTime(from.UtcDateTime).AddDays(-EditMarkDays), cancellationToken);
        return new LedgerExportInfo(from, curedSince, branches);
    }

    private async Task<int> ExportBranchAsync(DateOnly date, string branch, DateOnly curedSince, CancellationToken cancellationToken)
    {
        var lines = new List<LedgerLine>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {branch} and RowKey ge {NplLedgerRows.LoanPrefix} and RowKey lt {"l}"}");
        await foreach (var row in storage.Ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var line = NplLedgerRows.Line(row);
            if (line.InNpl || line.CuredOn >= curedSince)
            {
                lines.Add(line);
            }
        }

        using var packed = new MemoryStream();
        await using (var zip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        await using (var buffered = new BufferedStream(zip, 1 << 16))
        {
            LedgerLineCodec.Write(buffered, lines);
        }

        packed.Position = 0;
        await storage.Data.GetBlobClient(NplStorage.LedgerExportBlob(date, branch)).UploadAsync(packed, overwrite: true, cancellationToken);
        return lines.Count;
    }

    private async Task DropOldMarksAsync(DateOnly before, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {NplStorage.Day(before)}");
        await foreach (var row in storage.LedgerEdits.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            await storage.LedgerEdits.DeleteEntityAsync(row.PartitionKey, row.RowKey, Azure.ETag.All, cancellationToken);
        }
    }
}
