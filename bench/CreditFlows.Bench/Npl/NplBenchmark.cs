using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Functions.Features.Npl;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Bench.Npl;

// The daily NPL benchmark (scripts/bench.sh npl [--sizes 100000,1000000] [--shard-size 50000] [--workers 2] [--write-concurrency 8] [--days 2]).
// For each size: a synthetic extract (ExtractGenerator, the one the tests use) is uploaded to Azurite, then day 1
// (no baseline: every NPL is written) and day 2 (NextDay: only changes are written) run through the app's own
// services (the same code the functions call): prepare (download, parse, check, stage) → shards (classify, diff,
// ledger, snapshot) on `workers` concurrent workers → summary (timed again on its own: it is idempotent).
// Then the classification kernel alone on one thread. Peak memory is the process's peak working set (the app and
// the benchmark; Azurite runs in its own process).
public static class NplBenchmark
{
    public static async Task<int> RunAsync(string storage, string[] args)
    {
        var sizes = Arg(args, "--sizes", "100000,1000000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var shardSize = int.Parse(Arg(args, "--shard-size", "50000"), CultureInfo.InvariantCulture);
        var writeConcurrency = Arg(args, "--write-concurrency", string.Empty);
        var days = int.Parse(Arg(args, "--days", "2"), CultureInfo.InvariantCulture);
        var workers = int.Parse(Arg(args, "--workers", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        Console.WriteLine($"CreditFlows NPL daily benchmark: sizes {string.Join(", ", sizes)}, shard size {shardSize}, {workers} shard workers, " +
            $"write concurrency {(writeConcurrency.Length > 0 ? writeConcurrency : "default")}");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, " +
            $"server GC {GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        foreach (var size in sizes)
        {
            await using var app = new NplBenchApp(storage, shardSize, writeConcurrency);
            app.Start();
            var options = new GeneratorOptions(size, new DateOnly(2026, 11, 21), Branches: 24, OfficersPerBranch: 12);
            var day2 = options.AsOf.AddDays(1);
            await RunDayAsync(app, size, options.AsOf, ExtractGenerator.Generate(options), workers, "day 1 (first day: every NPL written)");
            if (days > 1)
            {
                await RunDayAsync(app, size, day2, ExtractGenerator.NextDay(ExtractGenerator.Generate(options), options, day2), workers, "day 2 (diff: changes only)");
            }

            Console.WriteLine($"  peak working set so far: {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MiB");
        }

        Kernel(1_000_000);
        return 0;
    }

    internal static async Task RunDayAsync(NplBenchApp app, int size, DateOnly date, IEnumerable<LoanRecord> loans, int workers, string label)
    {
        var storage = app.Services.GetRequiredService<NplStorage>();
        var file = Path.Combine(Path.GetTempPath(), $"npl-bench-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var stream = File.Create(file))
            {
                ExtractWriter.Write(stream, loans);
            }

            var bytes = new FileInfo(file).Length;
            var upload = Stopwatch.StartNew();
            await storage.Extracts.GetBlobClient($"{NplStorage.Day(date)}.csv").UploadAsync(file, overwrite: true);
            upload.Stop();

            GC.Collect();
            var meter = app.Services.GetRequiredService<NplJobMeter>();
            meter.Reset();
            var preparer = app.Services.GetRequiredService<NplDayPreparer>();
            var worker = app.Services.GetRequiredService<NplShardWorker>();
            var total = Stopwatch.StartNew();
            var prepare = Stopwatch.StartNew();
            await preparer.PrepareAsync(new DayMessage(date, 1, DateTimeOffset.UtcNow.AddHours(1)), CancellationToken.None);
            prepare.Stop();

            var shards = new List<ShardMessage>();
            while ((await storage.ShardQueue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
            {
                foreach (var m in batch)
                {
                    shards.Add(JsonSerializer.Deserialize<ShardMessage>(m.Body.ToString(), NplRuns.Json)!);
                    await storage.ShardQueue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                }
            }

            var shardTime = Stopwatch.StartNew();
            await Parallel.ForEachAsync(shards, new ParallelOptions { MaxDegreeOfParallelism = workers }, async (s, ct) => await worker.RunAsync(s, ct));
            shardTime.Stop();
            total.Stop();

            var runs = app.Services.GetRequiredService<NplRuns>();
            var run = await runs.FindAsync(date, CancellationToken.None);
            var summaryTime = Stopwatch.StartNew();
            var summaryLine = await app.Services.GetRequiredService<NplSummaryBuilder>().BuildAsync(run!, CancellationToken.None);
            summaryTime.Stop();
            var changes = 0L;
            await foreach (var row in storage.Runs.QueryAsync<Azure.Data.Tables.TableEntity>(
                Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {NplStorage.Day(date)} and RowKey ge {"shard|" + run!.RunId} and RowKey lt {"shard|" + run.RunId + "~"}")))
            {
                changes += row.GetInt64("Changes") ?? 0;
            }

            Console.WriteLine($"{size,9:N0} loans, {label}: status {run.Status}, {run.Rows:N0} rows, {run.ShardCount} shards, {changes:N0} ledger changes ({bytes / 1024 / 1024} MiB CSV, upload {upload.Elapsed.TotalSeconds:0.0} s, not counted)");
            Console.WriteLine($"    prepare (download, parse, check, stage) {prepare.Elapsed.TotalSeconds,6:0.00} s");
            Console.WriteLine($"    shards (classify, diff, ledger, snapshot, summary) {shardTime.Elapsed.TotalSeconds,6:0.00} s");
            Console.WriteLine($"    end to end {total.Elapsed.TotalSeconds,6:0.00} s; summary alone, re-run: {summaryTime.Elapsed.TotalSeconds:0.00} s ({summaryLine})");
            Console.WriteLine($"    peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1024 / 1024} MiB");
            Console.WriteLine("    phases (summed over concurrent shards, includes the re-run summary):");
            foreach (var (phase, time) in meter.Phases())
            {
                Console.WriteLine($"      {phase,-52} {time.TotalSeconds,7:0.00} s");
            }

            Console.WriteLine("    written:");
            foreach (var (what, n) in meter.Counts())
            {
                Console.WriteLine($"      {what,-52} {n,9:N0}");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The classification kernel alone: days overdue, rule category, on one thread.</summary>
    private static void Kernel(int size)
    {
        var loans = ExtractGenerator.Generate(new GeneratorOptions(size, new DateOnly(2026, 11, 21))).ToArray();
        var asOf = new DateOnly(2026, 11, 21);
        var principal = loans.Select(l => l.PrincipalOverdueSince).ToArray();
        var interest = loans.Select(l => l.InterestOverdueSince).ToArray();
        var restructured = loans.Select(l => l.Restructured).ToArray();
        var policy = ClassificationPolicy.Default;
        var counts = new long[6];
        for (var round = 0; round < 3; round++)
        {
            Array.Clear(counts);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < loans.Length; i++)
            {
                counts[(int)policy.Classify(ClassificationPolicy.DaysOverdue(asOf, principal[i], interest[i]), restructured[i])]++;
            }

            watch.Stop();
            Console.WriteLine($"Kernel round {round + 1}: {size:N0} loans in {watch.Elapsed.TotalMilliseconds:0.0} ms = {size / watch.Elapsed.TotalSeconds / 1e6:0.0} M loans/s on one thread (NPL {counts[3] + counts[4] + counts[5]:N0})");
        }

        var daily = Stopwatch.StartNew();
        var result = DailyClassification.Run(asOf, "all", policy, loans, null, new Dictionary<string, LoanOverride>(), l => LendingResponsibility.ExtractOfficer(l.OfficerId));
        daily.Stop();
        Console.WriteLine($"Daily classification with snapshot and totals (one thread): {size:N0} loans in {daily.Elapsed.TotalMilliseconds:0} ms = {size / daily.Elapsed.TotalSeconds / 1e6:0.00} M loans/s ({result.Changes.Count:N0} ledger changes)");
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <param name="writeConcurrency">`Npl:WriteConcurrency`, or empty for the app's default.</param>
    /// <param name="id">Names the NPL tables, containers and queues; a given id reuses what an earlier run with it stored.</param>
    internal sealed class NplBenchApp(string storage, int shardSize, string writeConcurrency = "", string? id = null) : WebApplicationFactory<global::Program>
    {
        private readonly string _id = id ?? Guid.NewGuid().ToString("N")[..10];

        public void Start()
        {
            UseKestrel(0);
            StartServer();
        }

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseSetting("AzureWebJobsStorage", storage);
            builder.UseSetting("LocalRunner:Enabled", "false");
            builder.UseSetting("LocalRunner:HostId", $"b{_id}");
            builder.UseSetting("Demo:Seed", "false");
            builder.UseSetting("Identity:DevTokenSigningKey", "bench-signing-key-of-at-least-32-characters");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting("Npl:TablePrefix", $"B{_id}");
            builder.UseSetting("Npl:ExtractContainer", $"lb-{_id}");
            builder.UseSetting("Npl:DataContainer", $"npl-{_id}");
            builder.UseSetting("Npl:DayQueue", $"nd-{_id}");
            builder.UseSetting("Npl:ShardQueue", $"ns-{_id}");
            builder.UseSetting("Npl:ShardSize", shardSize.ToString(CultureInfo.InvariantCulture));
            if (writeConcurrency.Length > 0)
            {
                builder.UseSetting("Npl:WriteConcurrency", writeConcurrency); // else the app's default
            }
        }
    }
}
