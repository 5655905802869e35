using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// Prepares one business day: finds the extract, reads and checks every row in one streaming pass, writes the
/// rejects file beside it, and either rejects the day (too many bad rows, or an unreadable file: nothing is
/// applied) or stages the valid loans per branch shard and sends one <see cref="ShardMessage"/> per shard.
/// A missing extract is reported and looked for again later the same day (a delayed message on the day queue).
/// </summary>
public sealed partial class NplDayPreparer(
    NplStorage storage, NplRuns runs, NplAlerts alerts, BusinessClock clock, NplJobMeter meter, IOptions<NplOptions> options, ILogger<NplDayPreparer> logger)
{
    private readonly NplOptions _options = options.Value;

    /// <summary>The message the timer sends for today's run: yesterday's extract (by default), retried until the local cut-off.</summary>
    public DayMessage Today()
    {
        var today = clock.Today;
        var until = new DateTimeOffset(today.ToDateTime(_options.RetryUntil), clock.Zone.GetUtcOffset(today.ToDateTime(_options.RetryUntil)));
        return new DayMessage(today.AddDays(-_options.ExtractLagDays), 1, until);
    }

    public async Task<string> PrepareAsync(DayMessage day, CancellationToken cancellationToken)
    {
        var extract = await FindExtractAsync(day.Date, cancellationToken);
        if (extract is null)
        {
            return await MissingAsync(day, cancellationToken);
        }

        var runId = $"{clock.Now:HHmmss}{Guid.NewGuid():N}"[..14];
        var baseline = await runs.LastCompleteBeforeAsync(day.Date, cancellationToken);
        await runs.SaveAsync(new DayRun(day.Date, RunStatus.Preparing, runId, day.Attempt, extract.Name, 0, 0, new Dictionary<string, int>(), baseline?.Date, null, clock.Now), cancellationToken);

        Staged staged;
        try
        {
            using (meter.Time("prepare.1 read, parse, check, encode (incl. download)"))
            {
                staged = await Task.Run(() => Stage(extract, day.Date, cancellationToken), cancellationToken);
            }
        }
        catch (ExtractFormatException ex)
        {
            await UploadTextAsync(storage.Extracts, RejectsName(day.Date), $"row,loan_id,reason\r\n1,,{ExtractWriter.Quote(ex.Message)}\r\n", cancellationToken);
            return await RejectAsync(day, runId, extract.Name, 0, 0, ex.Message, cancellationToken);
        }

        await UploadTextAsync(storage.Extracts, RejectsName(day.Date), staged.Rejects.ToString(), cancellationToken);
        var share = staged.Rows == 0 ? 1 : (double)staged.Rejected / staged.Rows;
        if (staged.Rows == 0 || share > _options.MaxRejectShare)
        {
            var why = staged.Rows == 0
                ? "The extract has no loan rows."
                : $"{staged.Rejected} of {staged.Rows} rows ({share:P1}) are malformed, more than the {_options.MaxRejectShare:P1} allowed; see {RejectsName(day.Date)}.";
            return await RejectAsync(day, runId, extract.Name, staged.Rows, staged.Rejected, why, cancellationToken);
        }

        Dictionary<string, int> shards;
        using (meter.Time("prepare.3 split, gzip and upload staged shards"))
        {
            shards = await UploadShardsAsync(day.Date, runId, staged, cancellationToken);
        }

        using var queueing = meter.Time("prepare.4 run row and shard messages");
        await runs.SaveAsync(new DayRun(day.Date, RunStatus.Running, runId, day.Attempt, extract.Name, staged.Rows, staged.Rejected,
            shards, baseline?.Date, null, clock.Now), cancellationToken);
        foreach (var (branch, count) in shards)
        {
            var baselineCount = baseline?.Branches.GetValueOrDefault(branch) ?? 0;
            for (var i = 0; i < count; i++)
            {
                var message = new ShardMessage(day.Date, runId, branch, i, count, baseline?.Date, baselineCount);
                await storage.ShardQueue.SendMessageAsync(JsonSerializer.Serialize(message, NplRuns.Json), cancellationToken);
            }
        }

        LogPrepared(logger, day.Date, staged.Rows, staged.Rejected, shards.Count, shards.Values.Sum());
        return $"{NplStorage.Day(day.Date)}: {staged.Rows} rows, {staged.Rejected} rejected, {shards.Values.Sum()} shard(s) over {shards.Count} branch(es), run {runId}.";
    }

    public static string RejectsName(DateOnly date) => $"{NplStorage.Day(date)}.rejects.csv";

    private async Task<BlobClient?> FindExtractAsync(DateOnly date, CancellationToken cancellationToken)
    {
        foreach (var name in new[] { $"{NplStorage.Day(date)}.csv", $"{NplStorage.Day(date)}.csv.gz" })
        {
            var blob = storage.Extracts.GetBlobClient(name);
            if (await blob.ExistsAsync(cancellationToken))
            {
                return blob;
            }
        }

        return null;
    }

    private async Task<string> MissingAsync(DayMessage day, CancellationToken cancellationToken)
    {
        var now = clock.Now;
        var retry = now + _options.RetryEvery <= day.RetryUntil;
        var previous = await runs.FindAsync(day.Date, cancellationToken);
        if (previous is { Status: RunStatus.Complete or RunStatus.Running or RunStatus.Rejected })
        {
            return $"{NplStorage.Day(day.Date)}: the extract is gone but the day already ran ({previous.Status}); nothing to do.";
        }

        var status = retry ? RunStatus.Missing : RunStatus.GaveUp;
        var name = $"{NplStorage.Day(day.Date)}.csv";
        var problem = retry
            ? $"The extract {storage.Extracts.Name}/{name} (or .csv.gz) is missing at attempt {day.Attempt}; looking again at {clock.ToLocal(now + _options.RetryEvery):HH:mm}."
            : $"The extract {storage.Extracts.Name}/{name} (or .csv.gz) is still missing after {day.Attempt} attempt(s); the day is not monitored until it is re-run.";
        await runs.SaveAsync(new DayRun(day.Date, status, null, day.Attempt, null, 0, 0, new Dictionary<string, int>(), null, problem, now), cancellationToken);
        var cause = retry ? "extract-missing" : "extract-gave-up";
        await alerts.SendOnceAsync(day.Date, new EarlyWarning(cause, [new AlertRecipient(Role.RiskManager, BranchId.Headquarters)],
            $"贷款日终数据缺失 Loan book extract for {NplStorage.Day(day.Date)} is missing", problem), cancellationToken);
        if (retry)
        {
            await storage.DayQueue.SendMessageAsync(JsonSerializer.Serialize(day with { Attempt = day.Attempt + 1 }, NplRuns.Json),
                _options.RetryEvery, TimeSpan.FromSeconds(-1), cancellationToken);
        }

        LogMissing(logger, day.Date, day.Attempt, retry);
        return problem;
    }

    private async Task<string> RejectAsync(DayMessage day, string runId, string extract, long rows, long rejected, string why, CancellationToken cancellationToken)
    {
        await runs.SaveAsync(new DayRun(day.Date, RunStatus.Rejected, runId, day.Attempt, extract, rows, rejected, new Dictionary<string, int>(), null, why, clock.Now), cancellationToken);
        await alerts.SendOnceAsync(day.Date, new EarlyWarning("day-rejected", [new AlertRecipient(Role.RiskManager, BranchId.Headquarters)],
            $"贷款日终数据被拒 Loan book extract for {NplStorage.Day(day.Date)} rejected", $"Nothing of {extract} was applied. {why}"), cancellationToken);
        LogRejected(logger, day.Date, why);
        return $"{NplStorage.Day(day.Date)} rejected: {why}";
    }

    private sealed class Staged
    {
        public Dictionary<string, NplStagedBranch> Branches { get; } = new(StringComparer.Ordinal);

        public StringBuilder Rejects { get; } = new("row,loan_id,reason\r\n");

        public long Rows { get; set; }

        public long Rejected { get; set; }
    }

    private Staged Stage(BlobClient extract, DateOnly date, CancellationToken cancellationToken)
    {
        var staged = new Staged();
        using var stream = new MeteredReadStream(extract.OpenRead(new BlobOpenReadOptions(false) { BufferSize = 4 << 20 }, cancellationToken), meter, "prepare.2 of which blob download");
        var parser = new ExtractParser(stream, date, extract.Name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
        foreach (var row in parser.Read())
        {
            if (row.Loan is not { } loan)
            {
                staged.Rejects.Append(row.Row.ToString(CultureInfo.InvariantCulture)).Append(',')
                    .Append(ExtractWriter.Quote(row.LoanId ?? string.Empty)).Append(',').Append(ExtractWriter.Quote(row.Reason!)).Append("\r\n");
                continue;
            }

            if (!staged.Branches.TryGetValue(loan.Branch.Value, out var branch))
            {
                staged.Branches[loan.Branch.Value] = branch = new NplStagedBranch();
            }

            branch.Add(loan);
        }

        staged.Rows = parser.Rows;
        staged.Rejected = parser.Rejected;
        return staged;
    }

    /// <summary>Splits each branch into its shards (gzip, on the thread pool, branches in parallel) and uploads them.</summary>
    private async Task<Dictionary<string, int>> UploadShardsAsync(DateOnly date, string runId, Staged staged, CancellationToken cancellationToken)
    {
        var shards = staged.Branches.ToDictionary(b => b.Key, b => (b.Value.Count + _options.ShardSize - 1) / _options.ShardSize, StringComparer.Ordinal);
        await Parallel.ForEachAsync(staged.Branches.OrderByDescending(b => b.Value.Count), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (item, ct) =>
            {
                var (branch, buffer) = item;
                var n = shards[branch];
                var outputs = buffer.Shards(n);
                buffer.Dispose();
                for (var i = 0; i < n; i++)
                {
                    await storage.Data.GetBlobClient(NplStorage.StagingBlob(date, runId, branch, i, n)).UploadAsync(outputs[i], overwrite: true, ct);
                    await outputs[i].DisposeAsync();
                }
            });
        return shards;
    }

    private static Task UploadTextAsync(BlobContainerClient container, string name, string text, CancellationToken cancellationToken) =>
        container.GetBlobClient(name).UploadAsync(BinaryData.FromString(text), overwrite: true, cancellationToken);

    [LoggerMessage(LogLevel.Information, "NPL day {Date}: {Rows} rows, {Rejected} rejected, {Branches} branches in {Shards} shards")]
    private static partial void LogPrepared(ILogger logger, DateOnly date, long rows, long rejected, int branches, int shards);

    [LoggerMessage(LogLevel.Warning, "NPL day {Date}: extract missing at attempt {Attempt}; retrying: {Retry}")]
    private static partial void LogMissing(ILogger logger, DateOnly date, int attempt, bool retry);

    [LoggerMessage(LogLevel.Warning, "NPL day {Date} rejected: {Why}")]
    private static partial void LogRejected(ILogger logger, DateOnly date, string why);
}
