using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// <see cref="INplHistory"/> over the storage the daily NPL job (Features/Npl) writes, named by the same <c>Npl</c> settings
/// (<c>Npl:TablePrefix</c> <c>{P}</c>, <c>Npl:DataContainer</c>) and read by layout (the ledger export and rows through the job's own <see cref="Npl.NplLedgerRows"/> and <see cref="Npl.NplStorage"/> names):
/// <list type="bullet">
/// <item><c>{P}Runs</c>: partition = day, row <c>run</c>: column <c>Status</c> and <c>Doc</c> JSON with <c>branches</c> (branch → shard count). Only
/// a <c>Complete</c> run makes a monitored day, and its shard counts say which snapshot blobs are the day's: a day run again
/// (a corrected extract) leaves the first run's blobs and branch rows behind when its branches or shard counts changed.</item>
/// <item><c>{P}Summaries</c>: partition = day (yyyy-MM-dd); rows <c>union</c> and <c>branch|{B}</c>, column <c>Totals</c> = DayTotals JSON (web casing, enums as strings).</item>
/// <item><c>{P}Ledger</c>: partition = branch; rows <c>l|{loanId}</c> with the job's and the RiskManager's columns.</item>
/// <item>The run's <c>LedgerExport</c> (in <c>Doc</c>) and blobs <c>days/{day}/ledger/{B}.bin.gz</c>: the ledger lines as of the run
/// (<see cref="Npl.NplLedgerExport"/>); <c>{P}LedgerEdits</c>: partition = UTC day, row <c>{B}|{loanId}</c>, the rows people changed that day.</item>
/// <item><c>{P}Alerts</c>: partition = day, row = cause; columns <c>Cause</c>, <c>Subject</c>, <c>Recipients</c> (<c>Role@Branch,…</c>), <c>Sent</c>.</item>
/// <item>Container <c>npl</c>: <c>days/{day}/snapshots/{B}/{i}-of-{n}.bin.gz</c>, gzip of <see cref="LoanCodec"/> snapshots; n from the run.</item>
/// </list>
/// </summary>
public sealed class TableNplHistory(TableServiceClient tables, BlobServiceClient blobs, IOptions<Npl.NplOptions> options) : INplHistory
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    private readonly TableClient _runs = tables.GetTableClient(options.Value.TablePrefix + "Runs");
    private readonly TableClient _summaries = tables.GetTableClient(options.Value.TablePrefix + "Summaries");
    private readonly TableClient _ledger = tables.GetTableClient(options.Value.TablePrefix + "Ledger");
    private readonly TableClient _alerts = tables.GetTableClient(options.Value.TablePrefix + "Alerts");
    private readonly TableClient _edits = tables.GetTableClient(options.Value.TablePrefix + "LedgerEdits");
    private readonly BlobContainerClient _data = blobs.GetBlobContainerClient(options.Value.DataContainer);

    private const string RunRow = "run";
    private const string Complete = "Complete";

    /// <summary>The ledger table, for the benchmark's read experiments.</summary>
    public TableClient LedgerTable => _ledger;

    public static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<DateOnly?> LatestDayAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        (await DaysAsync(from, to, cancellationToken)).LastOrDefault() is { } d && d != default ? d : null;

    public async Task<DateOnly?> FirstDayAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken) =>
        (await DaysAsync(from, to, cancellationToken)).FirstOrDefault() is { } d && d != default ? d : null;

    public async Task<DayTotals?> TotalsAsync(DateOnly date, string? branch, CancellationToken cancellationToken)
    {
        var row = await Missing(() => _summaries.GetEntityIfExistsAsync<TableEntity>(Day(date), branch is null ? "union" : $"branch|{branch}", ["Totals"], cancellationToken));
        return row is { HasValue: true } ? JsonSerializer.Deserialize<DayTotals>(row.Value!.GetString("Totals"), Json) : null;
    }

    public async Task<IReadOnlyDictionary<string, DayTotals>> BranchTotalsAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var result = new SortedDictionary<string, DayTotals>(StringComparer.Ordinal);
        var run = await ShardsAsync(date, cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Day(date)} and RowKey ge {"branch|"} and RowKey lt {"branch}"}");
        await foreach (var row in Query(_summaries, filter, ["RowKey", "Totals"], cancellationToken))
        {
            var branch = row.RowKey["branch|".Length..];
            if (run is not null && run.ContainsKey(branch)) // a row of a branch the day's last run did not have is an earlier run's
            {
                result[branch] = JsonSerializer.Deserialize<DayTotals>(row.GetString("Totals"), Json)!;
            }
        }

        return result;
    }

    public async Task<IReadOnlyDictionary<string, int>> SnapshotShardsAsync(DateOnly date, CancellationToken cancellationToken) =>
        await ShardsAsync(date, cancellationToken) ?? new Dictionary<string, int>();

    public async Task<PackedSnapshot> SnapshotAsync(DateOnly date, string branch, int shards, CancellationToken cancellationToken)
    {
        var snapshot = new PackedSnapshot();
        try
        {
            for (var i = 0; i < shards; i++)
            {
                // One GET per blob, gunzipped straight into the snapshot's buffer (OpenReadAsync asks for the properties first).
                var blob = _data.GetBlobClient($"days/{Day(date)}/snapshots/{branch}/{i}-of-{shards}.bin.gz");
                using var download = (await blob.DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
                await snapshot.AddShardAsync(download.Content, cancellationToken);
            }

            return snapshot;
        }
        catch
        {
            snapshot.Dispose();
            throw;
        }
    }

    public async Task<IReadOnlyDictionary<string, List<LedgerLine>>> LedgersAsync(
        IReadOnlyCollection<string> branches, DateOnly leftNplSince, CancellationToken cancellationToken)
    {
        bool Keep(LedgerLine line) => line.InNpl || line.CuredOn >= leftNplSince;
        var export = await LatestExportAsync(leftNplSince, cancellationToken);
        var exported = export is { } e && e.Info.CuredSince <= leftNplSince ? e.Info.Branches.ToHashSet(StringComparer.Ordinal) : [];
        var edited = exported.Count > 0 ? EditedAsync(export!.Value.Info.From, exported, cancellationToken) : Task.FromResult(new List<(string Branch, string LoanId)>());
        var read = new System.Collections.Concurrent.ConcurrentDictionary<string, List<LedgerLine>>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(branches.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = WeeklyReportAssembler.ReadConcurrency, CancellationToken = cancellationToken },
            async (branch, ct) =>
            {
                var lines = new List<LedgerLine>();
                if (exported.Contains(branch) && await ReadExportAsync(export!.Value.Day, branch, ct) is { } exportedLines)
                {
                    lines.AddRange(exportedLines.Where(Keep));
                }
                else
                {
                    await foreach (var line in LedgerAsync(branch, ct))
                    {
                        if (Keep(line))
                        {
                            lines.Add(line);
                        }
                    }
                }

                read[branch] = lines;
            });

        // Rows people changed since the export began: read again from the table, in place of the exported line.
        var again = (await edited).Where(k => read.ContainsKey(k.Branch)).ToList();
        var rows = new System.Collections.Concurrent.ConcurrentBag<(string Branch, string LoanId, LedgerLine? Line)>();
        await Parallel.ForEachAsync(again, new ParallelOptions { MaxDegreeOfParallelism = WeeklyReportAssembler.ReadConcurrency, CancellationToken = cancellationToken },
            async (key, ct) =>
            {
                var row = await _ledger.GetEntityIfExistsAsync<TableEntity>(key.Branch, Npl.NplLedgerRows.LoanRow(key.LoanId), cancellationToken: ct);
                rows.Add((key.Branch, key.LoanId, row.HasValue ? Npl.NplLedgerRows.Line(row.Value!) : null));
            });
        foreach (var (branch, loanId, line) in rows)
        {
            var lines = read[branch];
            lines.RemoveAll(l => l.LoanId == loanId);
            if (line is not null && Keep(line))
            {
                lines.Add(line);
            }
        }

        return read;
    }

    /// <summary>A branch's exported ledger lines; null when the blob is gone (the table is read instead).</summary>
    private async Task<List<LedgerLine>?> ReadExportAsync(DateOnly day, string branch, CancellationToken cancellationToken)
    {
        try
        {
            using var download = (await _data.GetBlobClient(Npl.NplStorage.LedgerExportBlob(day, branch)).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value;
            await using var gzip = new GZipStream(download.Content, CompressionMode.Decompress);
            await using var buffered = new BufferedStream(gzip, 1 << 16);
            return LedgerLineCodec.Read(buffered);
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Row by row from the ledger table: the lines of a branch (or of all, null), as they stand.</summary>
    public async IAsyncEnumerable<LedgerLine> LedgerAsync(string? branch, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = branch is null
            ? TableClient.CreateQueryFilter($"RowKey ge {"l|"} and RowKey lt {"l}"}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {branch} and RowKey ge {"l|"} and RowKey lt {"l}"}");
        await foreach (var row in Query(_ledger, filter, null, cancellationToken))
        {
            yield return Npl.NplLedgerRows.Line(row);
        }
    }

    public async Task<IReadOnlyList<BranchWarning>> WarningsAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var lines = new List<BranchWarning>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Day(from)} and PartitionKey le {Day(to)}");
        await foreach (var row in Query(_alerts, filter, null, cancellationToken))
        {
            if (row.GetBoolean("Sent") == false)
            {
                continue;
            }

            var branches = (row.GetString("Recipients") ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(r => r[(r.LastIndexOf('@') + 1)..]).ToHashSet(StringComparer.Ordinal);
            lines.Add(new BranchWarning(
                new WarningLine(DateOnly.ParseExact(row.PartitionKey, "yyyy-MM-dd"), row.GetString("Cause") ?? row.RowKey, row.GetString("Subject") ?? string.Empty), branches));
        }

        return lines;
    }

    /// <summary>The days in [from, to] whose run is complete (a day being run again is not monitored until it completes).</summary>
    public async Task<IReadOnlyList<DateOnly>> DaysAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var days = new List<DateOnly>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Day(from)} and PartitionKey le {Day(to)} and RowKey eq {RunRow} and Status eq {Complete}");
        await foreach (var row in Query(_runs, filter, ["PartitionKey"], cancellationToken))
        {
            days.Add(DateOnly.ParseExact(row.PartitionKey, "yyyy-MM-dd"));
        }

        days.Sort();
        return days;
    }

    /// <summary>The day's complete run: branch → number of snapshot shards (null: no complete run that day).</summary>
    private async Task<IReadOnlyDictionary<string, int>?> ShardsAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var row = await Missing(() => _runs.GetEntityIfExistsAsync<TableEntity>(Day(date), RunRow, ["Status", "Doc"], cancellationToken));
        if (row is not { HasValue: true } || row.Value!.GetString("Status") != Complete)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(row.Value.GetString("Doc"));
        var shards = new SortedDictionary<string, int>(StringComparer.Ordinal);
        if (doc.RootElement.TryGetProperty("branches", out var branches))
        {
            foreach (var branch in branches.EnumerateObject())
            {
                shards[branch.Name] = branch.Value.GetInt32();
            }
        }

        return shards;
    }

    /// <summary>The latest complete run (looked for from <see cref="Npl.NplLedgerExport.CuredDays"/> before <paramref name="since"/>) and its ledger export; null when it has none (a run before exports existed) or there is no run.</summary>
    private async Task<(DateOnly Day, Npl.LedgerExportInfo Info)?> LatestExportAsync(DateOnly since, CancellationToken cancellationToken)
    {
        (DateOnly Day, Npl.LedgerExportInfo? Info)? latest = null;
        // An export covers leftNplSince when its run is at most CuredDays after it; the latest run of all is the one that counts.
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Day(since.AddDays(-Npl.NplLedgerExport.CuredDays))} and RowKey eq {RunRow} and Status eq {Complete}");
        await foreach (var row in Query(_runs, filter, ["PartitionKey", "Doc"], cancellationToken))
        {
            var day = DateOnly.ParseExact(row.PartitionKey, "yyyy-MM-dd");
            if (latest is null || day > latest.Value.Day)
            {
                latest = (day, JsonSerializer.Deserialize<Npl.DayRun>(row.GetString("Doc"), Npl.NplRuns.Json)?.LedgerExport);
            }
        }

        return latest is { Info: { } info } l ? (l.Day, info) : null; // the latest run without an export: read the table, not an older export
    }

    /// <summary>The ledger rows of <paramref name="branches"/> people marked as changed from the day before <paramref name="from"/> on.</summary>
    private async Task<List<(string Branch, string LoanId)>> EditedAsync(DateTimeOffset from, IReadOnlySet<string> branches, CancellationToken cancellationToken)
    {
        var keys = new List<(string, string)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Day(DateOnly.FromDateTime(from.UtcDateTime).AddDays(-1))}");
        await foreach (var row in Query(_edits, filter, ["Branch", "LoanId"], cancellationToken))
        {
            if (row.GetString("Branch") is { } branch && branches.Contains(branch) && row.GetString("LoanId") is { } loanId)
            {
                keys.Add((branch, loanId));
            }
        }

        return keys.Distinct().ToList();
    }

    /// <summary>A table the job has not created yet reads as empty: no data, not a failure.</summary>
    private static async IAsyncEnumerable<TableEntity> Query(TableClient table, string filter, IEnumerable<string>? select, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pages = table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await pages.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404)
            {
                yield break;
            }

            foreach (var row in pages.Current.Values)
            {
                yield return row;
            }
        }
    }

    private static async Task<T?> Missing<T>(Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}
