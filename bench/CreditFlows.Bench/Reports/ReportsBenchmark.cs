using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Branches;
using CreditFlows.Functions.Features.Reports;
using Microsoft.Extensions.DependencyInjection;
using static CreditFlows.Bench.Npl.NplBenchmark;

namespace CreditFlows.Bench.Reports;

// The weekly NPL report benchmark (scripts/bench.sh reports [--loans 1000000] [--branches 100] [--reps 3]).
// Seeding (not timed): a synthetic book (ExtractGenerator) of `loans` loans over `branches` branches runs through the real
// daily NPL job (NplBenchmark.RunDayAsync: prepare → shards → summary, the code the functions call) on Sunday 2026-11-15
// and again on Sunday 2026-11-22, the book moved on by seven NextDay steps (repaid, newly overdue, cured, instalments, new
// loans) and every overdue loan a week older, so week 2026-W47 has a week-ago baseline, a migration table, new NPLs and
// cures. Branch names are added to the Branches table as HQ would have them.
// Measured, `reps` times: what the Monday timer builds (WeeklyReportService.ArchiveAsync, final) for the union and every
// branch with a snapshot: read the job's storage, compute, render (HTML, two PNG charts, ledger .xlsx and .csv) and write
// the archive. Not the mail: the timer then queues one message per recipient, and SendNotification delivers it. Before
// each repetition the week's archive is deleted (not timed), so every repetition builds and writes all reports again.
public static class ReportsBenchmark
{
    private static readonly DateOnly LastWeek = new(2026, 11, 15);
    private static readonly DateOnly ThisWeek = new(2026, 11, 22);

    public static async Task<int> RunAsync(string storage, string[] args)
    {
        var loans = int.Parse(Arg(args, "--loans", "1000000"), CultureInfo.InvariantCulture);
        var branchCount = int.Parse(Arg(args, "--branches", "100"), CultureInfo.InvariantCulture);
        var reps = int.Parse(Arg(args, "--reps", "3"), CultureInfo.InvariantCulture);
        var shardSize = int.Parse(Arg(args, "--shard-size", "50000"), CultureInfo.InvariantCulture);
        var workers = int.Parse(Arg(args, "--workers", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        Console.WriteLine($"CreditFlows weekly NPL report benchmark: {loans:N0} loans, {branchCount} branches, {reps} repetitions");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, " +
            $"server GC {GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        // --reuse ID (for profiling against an Azurite started by hand): names the storage by ID and seeds only if that storage
        // has no complete run of this week's Sunday yet.
        var reuse = Arg(args, "--reuse", string.Empty);
        await using var app = new NplBenchApp(storage, shardSize, id: reuse.Length > 0 ? reuse : null);
        app.Start();
        var service = app.Services.GetRequiredService<WeeklyReportService>();
        var history = app.Services.GetRequiredService<INplHistory>();

        // ------------------------------------------------------------ seeding, through the daily job (not timed)
        var options = new GeneratorOptions(loans, LastWeek, Branches: branchCount, OfficersPerBranch: 12);
        if (reuse.Length > 0 && await history.LatestDayAsync(ThisWeek, ThisWeek, CancellationToken.None) is not null)
        {
            Console.WriteLine($"Reusing the storage of run {reuse} (seeded earlier).");
        }
        else
        {
            var seed = Stopwatch.StartNew();
            await RunDayAsync(app, loans, LastWeek, ExtractGenerator.Generate(options), workers, "Sunday of last week (first day)");
            await RunDayAsync(app, loans, ThisWeek, Week(options), workers, "Sunday of this week (seven days on)");
            var branches = app.Services.GetRequiredService<BranchStore>();
            for (var b = 0; b < branchCount; b++)
            {
                await branches.AddIfAbsentAsync(new Branch(BranchId.Parse(ExtractGenerator.BranchId(options, b)), $"第{b + 1}信用社"), CancellationToken.None);
            }

            Console.WriteLine($"Seeding took {seed.Elapsed.TotalSeconds:0} s (not counted).");
        }

        // ------------------------------------------------------------ the Monday build, measured
        var week = ReportWeek.Of(ThisWeek);
        List<string> scopes = [WeeklyReportBuilder.Union, .. (await history.SnapshotShardsAsync(ThisWeek, CancellationToken.None)).Keys];
        Console.WriteLine($"Week {week}: {scopes.Count} scopes (the union and {scopes.Count - 1} branches).");
        if (args.Contains("--profile-reads"))
        {
            await ProfileReadsAsync(history, week);
            await ProfileRenderAsync(app.Services, week);
        }

        Console.WriteLine();
        Console.WriteLine("CPU: seconds of CPU used during the repetition by this process (app and bench) and by Azurite; load: /proc/loadavg (1 min) at the end,");
        Console.WriteLine($"a machine shared with other engineers shows a load well above its {Environment.ProcessorCount} cores.");
        Console.WriteLine();
        Console.WriteLine("| Rep | Wall (s) | Build only (s) | Read | Compute | Render | Archive | CPU app (s) | CPU Azurite (s) | Load | Peak managed (MiB) | Allocated (MiB) | Loans/s | Archive (MiB, blobs) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (var rep = 1; rep <= reps; rep++)
        {
            await DeleteWeekAsync(service, week);
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var timings = new ReportTimings();
            using var sampler = new HeapSampler();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = new CpuMeter();
            cpu.Start();
            var wall = Stopwatch.StartNew();
            var reports = await service.ArchiveAsync(week, scopes, final: true, CancellationToken.None, timings);
            wall.Stop();
            var (cpuSelf, cpuAzurite) = cpu.Stop();
            var peak = sampler.Stop();
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "-";
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var (bytes, blobs) = await ArchiveSizeAsync(service, week);
            Check(reports, scopes, blobs);
            Console.WriteLine($"| {rep} | {wall.Elapsed.TotalSeconds:0.00} | {timings.Build.TotalSeconds:0.00} | {timings.Read.TotalSeconds:0.00} | {timings.Compute.TotalSeconds:0.00} | " +
                $"{timings.Render.TotalSeconds:0.00} | {timings.Archive.TotalSeconds:0.00} | {cpuSelf:0.0} | {cpuAzurite:0.0} | {load} | {peak / 1048576.0:0} | {allocated / 1048576.0:0} | " +
                $"{loans / wall.Elapsed.TotalSeconds:N0} | {bytes / 1048576.0:0.0}, {blobs} |");
            if (rep == reps)
            {
                var union = reports[WeeklyReportBuilder.Union].Report;
                Console.WriteLine();
                Console.WriteLine($"Union as of {union.AsOf}: {union.Now?.Loans:N0} loans, NPL {union.Now?.NplLoans:N0} ({union.Now?.NplRatio:P2}); week ago {union.WeekAgo?.NplLoans:N0}; " +
                    $"new NPLs {union.NewNpls.Count:N0}, cures {union.Cures.Count:N0}, recoveries {union.Recoveries.Count:N0}; " +
                    $"migration rows {union.Migration?.Rows.Count}; warnings {union.Warnings.Count}.");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Peak working set of the process (seeding included): {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB.");
        return 0;
    }

    /// <summary>Each kind of read the build makes, alone and one after another (--profile-reads).</summary>
    private static async Task ProfileReadsAsync(INplHistory history, ReportWeek week)
    {
        var ct = CancellationToken.None;
        var branches = (await history.SnapshotShardsAsync(ThisWeek, ct)).Keys.ToList();
        var cpu = new CpuMeter();
        string Cpu()
        {
            var (self, azurite) = cpu.Stop();
            cpu.Start();
            return $"(CPU: bench {self:0.0} s, Azurite {azurite:0.0} s)";
        }

        cpu.Start();
        var watch = Stopwatch.StartNew();
        var loans = 0L;
        foreach (var day in new[] { LastWeek, ThisWeek })
        {
            var shards = await history.SnapshotShardsAsync(day, ct);
            await Parallel.ForEachAsync(shards, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (branch, c) =>
            {
                using var snapshot = await history.SnapshotAsync(day, branch.Key, branch.Value, c);
                Interlocked.Add(ref loans, snapshot.Count);
            });
        }

        Console.WriteLine($"Profile: snapshots of both days, {loans:N0} loans, 8 branches at a time: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
        watch.Restart();
        var table = (TableNplHistory)history;
        var exported = await history.LedgersAsync(branches, week.Monday, ct);
        Console.WriteLine($"Profile: ledger from the daily job's export, {exported.Values.Sum(l => l.Count):N0} lines: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
        watch.Restart();
        var lines = 0;
        await foreach (var _ in table.LedgerAsync(null, ct))
        {
            lines++;
        }

        Console.WriteLine($"Profile: ledger, one query over all partitions, {lines:N0} rows: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
        watch.Restart();
        lines = 0;
        await Parallel.ForEachAsync(branches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (branch, c) =>
        {
            var n = 0;
            await foreach (var _ in table.LedgerAsync(branch, c))
            {
                n++;
            }

            Interlocked.Add(ref lines, n);
        });
        Console.WriteLine($"Profile: ledger, one query per branch, 8 at a time, {lines:N0} rows: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
        if (Environment.GetEnvironmentVariable("PROFILE_SELECT") is { } select)
        {
            watch.Restart();
            lines = 0;
            await Parallel.ForEachAsync(branches, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (branch, c) =>
            {
                var n = 0;
                await foreach (var _ in table.LedgerTable.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {branch} and RowKey ge {"l|"} and RowKey lt {"l}"}"), select: select.Split(','), cancellationToken: c))
                {
                    n++;
                }

                Interlocked.Add(ref lines, n);
            });
            Console.WriteLine($"Profile: ledger select {select}, {lines:N0} rows: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
        }

        watch.Restart();
        var warnings = await history.WarningsAsync(week.Monday, week.Sunday, ct);
        Console.WriteLine($"Profile: warnings of the week, {warnings.Count:N0}: {watch.Elapsed.TotalSeconds:0.00} s {Cpu()}");
    }

    /// <summary>Each kind of file the union's report renders, alone (--profile-reads).</summary>
    private static async Task ProfileRenderAsync(IServiceProvider services, ReportWeek week)
    {
        var assembler = services.GetRequiredService<WeeklyReportAssembler>();
        var chart = services.GetRequiredService<ReportChart>();
        var built = (await assembler.BuildAsync(week, [WeeklyReportBuilder.Union], new Dictionary<string, string>(), CancellationToken.None))[WeeklyReportBuilder.Union];
        var ledger = new List<LedgerLine>();
        await foreach (var line in ((TableNplHistory)services.GetRequiredService<INplHistory>()).LedgerAsync(null, CancellationToken.None))
        {
            ledger.Add(line);
        }

        void Time(string what, int times, Func<object> render)
        {
            render();
            var best = double.MaxValue;
            for (var i = 0; i < times; i++)
            {
                var watch = Stopwatch.StartNew();
                render();
                best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
            }

            Console.WriteLine($"Profile: render {what}: {best:0.0} ms (best of {times})");
        }

        Time("trend chart", 20, () => chart.Trend(built.Report));
        Time("categories chart", 20, () => chart.Categories(built.Report));
        var font = services.GetRequiredService<ChartFont>();
        ScottPlot.Plot Plot()
        {
            var plot = new ScottPlot.Plot();
            plot.Font.Set("CreditFlowsCjk");
            plot.Add.Scatter(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), Enumerable.Range(0, 12).Select(i => 6.0 + i % 3).ToArray());
            plot.Title("第1信用社 不良贷款率 NPL ratio");
            return plot;
        }

        Time("a plot, drawn (GetImage)", 20, () => Plot().GetImage(ReportChart.Width, ReportChart.Height));
        Time("a plot, drawn and PNG-encoded", 20, () => Plot().GetImageBytes(ReportChart.Width, ReportChart.Height, ScottPlot.ImageFormat.Png));
        foreach (var (flags, level) in new[] { (SkiaSharp.SKPngEncoderFilterFlags.AllFilters, 6), (SkiaSharp.SKPngEncoderFilterFlags.AllFilters, 1), (SkiaSharp.SKPngEncoderFilterFlags.NoFilters, 1), (SkiaSharp.SKPngEncoderFilterFlags.Sub, 1), (SkiaSharp.SKPngEncoderFilterFlags.AllFilters, 3) })
        {
            var size = 0;
            Time($"a plot, PNG {flags} zlib {level}", 20, () =>
            {
                using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(ReportChart.Width, ReportChart.Height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Premul));
                Plot().Render(surface);
                using var image = surface.Snapshot();
                using var pixels = image.PeekPixels();
                using var png = pixels.Encode(new SkiaSharp.SKPngEncoderOptions(flags, level));
                size = (int)png!.Size;
                return png;
            });
            Console.WriteLine($"    {size:N0} bytes");
        }

        Time("HTML", 10, () => ReportHtml.Render(built.Report, n => n));
        Time($"ledger .xlsx ({ledger.Count:N0} rows)", 4, () => LedgerFiles.Xlsx("title", ledger));
        Time($"ledger .csv ({ledger.Count:N0} rows)", 4, () => LedgerFiles.Csv(ledger));
        Time($"report.json", 10, () => System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(built.Report, TableNplHistory.Json));
    }

    /// <summary>The book seven days on: one <see cref="ExtractGenerator.NextDay"/> per day, so a week of repayments, new overdues and cures.</summary>
    private static IEnumerable<LoanRecord> Week(GeneratorOptions options)
    {
        var book = ExtractGenerator.Generate(options);
        for (var day = LastWeek.AddDays(1); day <= ThisWeek; day = day.AddDays(1))
        {
            book = ExtractGenerator.NextDay(book, options, day);
        }

        return book;
    }

    /// <summary>Every scope archived with its six files, and the report has this week's and last week's figures.</summary>
    private static void Check(IReadOnlyDictionary<string, ArchivedReport> reports, List<string> scopes, int blobs)
    {
        var problems = scopes.Where(s => !reports.TryGetValue(s, out var r) || r.Files.Count != 5 || !r.Report.HasData || r.Report.WeekAgo is null || r.Report.Migration is null)
            .ToList();
        if (problems.Count > 0 || blobs != scopes.Count * 6)
        {
            throw new InvalidOperationException($"Incomplete archive: {blobs} blobs for {scopes.Count} scopes; scopes without a full report: {string.Join(", ", problems.Take(10))}.");
        }
    }

    private static async Task DeleteWeekAsync(WeeklyReportService service, ReportWeek week)
    {
        if (!await service.Container.ExistsAsync())
        {
            return;
        }

        await foreach (var blob in service.Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{week}/", CancellationToken.None))
        {
            await service.Container.DeleteBlobAsync(blob.Name);
        }
    }

    private static async Task<(long Bytes, int Blobs)> ArchiveSizeAsync(WeeklyReportService service, ReportWeek week)
    {
        var (bytes, blobs) = (0L, 0);
        await foreach (var blob in service.Container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"{week}/", CancellationToken.None))
        {
            bytes += blob.Properties.ContentLength ?? 0;
            blobs++;
        }

        return (bytes, blobs);
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>The largest managed heap seen (GC.GetTotalMemory without collecting: live data and garbage not yet collected), every 5 ms.</summary>
    private sealed class HeapSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Thread _thread;
        private long _peak = GC.GetTotalMemory(false);

        public HeapSampler()
        {
            _thread = new Thread(() =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    _peak = Math.Max(_peak, GC.GetTotalMemory(false));
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }

        public long Stop()
        {
            _stop.Cancel();
            _thread.Join();
            return Math.Max(_peak, GC.GetTotalMemory(false));
        }

        public void Dispose() => _stop.Dispose();
    }
}
