using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using Azure.Data.Tables;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;
using static CreditFlows.Bench.Summary;

namespace CreditFlows.Bench;

// The workflow benchmark. Run it with scripts/bench.sh, which starts Azurite and passes its connection string
// in CREDITFLOWS_BENCH_STORAGE. Options: --apps N (measured applications, default 400), --concurrency C
// (clients, default 50), --warmup W (applications before measuring, default 50: one per client, so every
// connection the measured run uses is open already), --races R (race sub-test, default 20; 0 skips it),
// --app-log-level L (the app's log level, default Warning), --strict (exit 2 when a target is missed),
// --think-ms T (each client pauses T ms after every answer, in both the workflow and the raw run; default 0, back to
// back, which is the saturation test the targets are judged on).
// `npl` as the first argument runs the daily NPL benchmark instead (Npl/NplBenchmark.cs), `npl-probe` Azurite's table
// write ceiling (Npl/AzuriteTableProbe.cs), `reports` the weekly NPL report benchmark (Reports/ReportsBenchmark.cs),
// `--documents` the credit-file upload benchmark (DocumentsBench.cs), `movements` the weekly report's snapshot diff alone, in
// memory and without storage (Reports/MovementsBench.cs), `render` the weekly report's rendering alone, without storage
// (Reports/RenderBenchmark.cs).
public static class Benchmark
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "movements")
        {
            return await Reports.MovementsBench.RunAsync(args[1..]); // the weekly diff alone, in memory: no storage
        }

        if (args.Length > 0 && args[0] == "render")
        {
            return Reports.RenderBenchmark.Run(args[1..]); // the weekly report's rendering alone, in memory, no storage
        }

        var storage = Environment.GetEnvironmentVariable("CREDITFLOWS_BENCH_STORAGE");
        if (string.IsNullOrWhiteSpace(storage))
        {
            Console.Error.WriteLine("CREDITFLOWS_BENCH_STORAGE is not set: run the benchmark with scripts/bench.sh, which starts Azurite for it.");
            return 64;
        }

        if (args.Length > 0 && args[0] == "npl")
        {
            Environment.CurrentDirectory = AppContext.BaseDirectory;
            return await Npl.NplBenchmark.RunAsync(storage, args[1..]);
        }

        if (args.Length > 0 && args[0] == "npl-probe")
        {
            return await Npl.AzuriteTableProbe.RunAsync(storage, args[1..]); // Azurite's table write ceiling for the NPL job
        }

        if (args.Length > 0 && args[0] == "reports")
        {
            Environment.CurrentDirectory = AppContext.BaseDirectory;
            return await Reports.ReportsBenchmark.RunAsync(storage, args[1..]);
        }

        // WebApplicationFactory finds the app's content root through MvcTestingAppManifest.json in the working
        // directory, as under `dotnet test`; `dotnet run` starts in the repository root instead.
        Environment.CurrentDirectory = AppContext.BaseDirectory;
        if (args is ["--documents", .. var documentArgs])
        {
            return await DocumentsBench.RunAsync(documentArgs, storage); // the credit-file upload benchmark (DocumentsBench.cs)
        }

        var options = Options.Parse(args);
        Integrity.SelfTest();
        var ports = StoragePorts(storage);
        using var meter = new RequestMeter(ports);
        var tables = new TableServiceClient(storage);
        var runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        int perApp = WorkflowDriver.Steps.Count;

        Console.WriteLine($"CreditFlows workflow benchmark: {options.Apps} applications × {perApp} commands, {options.Concurrency} concurrent clients, " +
            $"{options.Warmup} warm-up applications, {options.Races} races, think time {options.ThinkMs} ms.");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, " +
            $"server GC {GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        await using var app = new BenchApp(storage, options.AppLogLevel);
        var address = app.Start();
        meter.AddPort(address.Port, "app");
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var callers = Callers.Issue(app);
        Console.WriteLine($"App on {address}");

        // ---------------------------------------------------------------- workflow
        var warmupDriver = new WorkflowDriver(http, callers);
        var (warmupApps, warmupWall) = await warmupDriver.RunAsync(0, options.Warmup, Math.Min(options.Concurrency, Math.Max(1, options.Warmup)));
        Console.WriteLine($"Warm-up: {options.Warmup} applications in {warmupWall.TotalSeconds:0.0} s, {warmupDriver.Errors} errors");

        Settle();
        meter.Reset();
        var cpu = new CpuMeter();
        cpu.Start();
        var driver = new WorkflowDriver(http, callers) { ThinkTime = TimeSpan.FromMilliseconds(options.ThinkMs) };
        var (measuredApps, workflowWall) = await driver.RunAsync(100_000, options.Apps, options.Concurrency);
        var workflowCpu = cpu.Stop();
        var workflowRequests = meter.Client();
        var workflowServer = meter.Server;
        var workflowOk = measuredApps.Sum(a => (long)a.Acknowledged.Count);
        var workflowRate = workflowOk / workflowWall.TotalSeconds;
        var workflowLatency = driver.All.Summarise();
        Console.WriteLine($"Workflow: {workflowOk} transitions in {workflowWall.TotalSeconds:0.0} s, {driver.Errors} errors");

        // ---------------------------------------------------------------- integrity
        var (integrity, integrityProblems) = await Integrity.CheckStoredAsync(tables,
            warmupApps.Concat(measuredApps).Select(a => (a, a.Completed ? "Disbursed" : (string?)null)));
        Console.WriteLine($"Integrity: {integrity}");

        // ---------------------------------------------------------------- race sub-test
        var raceDriver = new WorkflowDriver(http, callers);
        var race = new RaceTest(raceDriver, callers);
        var raceIntegrity = IntegrityResult.Empty;
        var raceProblems = new List<string>();
        if (options.Races > 0)
        {
            var raceApps = await race.RunAsync(200_000, options.Races, 10);
            (raceIntegrity, raceProblems) = await Integrity.CheckStoredAsync(tables,
                raceApps.Select(a => (a, a.Acknowledged.Count == 4 ? "Authorisation" : (string?)null)));
            Console.WriteLine($"Races: {options.Races}, {race.Violations.Count} violations, log check {raceIntegrity}");
        }

        // ---------------------------------------------------------------- raw baseline
        var template = measuredApps.FirstOrDefault(a => a.Completed)?.Id ?? warmupApps.FirstOrDefault(a => a.Completed)?.Id;
        if (template is null)
        {
            Console.Error.WriteLine("No application completed the flow: nothing to model the raw loop on.");
            PrintFailures(driver, warmupDriver);
            return 1;
        }

        var applications = tables.GetTableClient(StorageNames.Tables.Applications);
        var stateRow = (await applications.GetEntityAsync<TableEntity>(template, ApplicationStore.StateRow)).Value;
        var eventRows = new List<TableEntity>();
        await foreach (var row in applications.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {template} and RowKey ge {"event-"} and RowKey lt {"event."}")))
        {
            eventRows.Add(row);
        }

        var rawTable = tables.GetTableClient($"BenchRaw{runId}");
        await rawTable.CreateIfNotExistsAsync();
        var rawWarmup = new RawLoop(rawTable, stateRow, eventRows);
        await rawWarmup.RunAsync("warmup", options.Warmup, Math.Min(options.Concurrency, Math.Max(1, options.Warmup)));
        Settle();
        meter.Reset();
        cpu.Start();
        var raw = new RawLoop(rawTable, stateRow, eventRows) { ThinkTime = TimeSpan.FromMilliseconds(options.ThinkMs) };
        var (rawOk, rawWall) = await raw.RunAsync("measured", options.Apps, options.Concurrency);
        var rawCpu = cpu.Stop();
        var rawRequests = meter.Client();
        var rawRate = rawOk / rawWall.TotalSeconds;
        var rawLatency = raw.All.Summarise();
        Console.WriteLine($"Raw: {rawOk} transactions in {rawWall.TotalSeconds:0.0} s, {raw.Errors} errors");

        // ---------------------------------------------------------------- report
        var ratio = workflowRate / rawRate;
        var errors = warmupDriver.Errors + driver.Errors + raceDriver.Errors + rawWarmup.Errors + raw.Errors;
        var throughputMet = ratio >= 0.5;
        var p99Met = workflowLatency.P99 < 100;
        var correct = errors == 0 && integrity.Clean && raceIntegrity.Clean && race.Violations.IsEmpty;

        Console.WriteLine();
        Console.WriteLine("## Results");
        Console.WriteLine();
        Console.WriteLine($"| Run | Transitions | Wall (s) | Transitions/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | Errors |");
        Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| Workflow over HTTP ({options.Concurrency} clients) | {workflowOk} | {workflowWall.TotalSeconds:0.0} | {workflowRate:0.0} | {Ms(workflowLatency.P50)} | {Ms(workflowLatency.P95)} | {Ms(workflowLatency.P99)} | {Ms(workflowLatency.Max)} | {driver.Errors} |");
        Console.WriteLine($"| Raw table transactions ({options.Concurrency} clients) | {rawOk} | {rawWall.TotalSeconds:0.0} | {rawRate:0.0} | {Ms(rawLatency.P50)} | {Ms(rawLatency.P95)} | {Ms(rawLatency.P99)} | {Ms(rawLatency.Max)} | {raw.Errors} |");
        Console.WriteLine();
        Console.WriteLine($"Workflow / raw throughput: {ratio:P0} (target ≥ 50%: {(throughputMet ? "met" : "NOT met")}).");
        Console.WriteLine($"Workflow command p99: {Ms(workflowLatency.P99)} ms (target < 100 ms: {(p99Met ? "met" : "NOT met")}).");
        Console.WriteLine();
        Console.WriteLine("### Workflow latency by command (ms)");
        Console.WriteLine();
        Console.WriteLine("| Command | n | p50 | p95 | p99 | max |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (step, _) in WorkflowDriver.Steps)
        {
            if (driver.ByStep.TryGetValue(step, out var latencies))
            {
                var s = latencies.Summarise();
                Console.WriteLine($"| {step} | {s.Count} | {Ms(s.P50)} | {Ms(s.P95)} | {Ms(s.P99)} | {Ms(s.Max)} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("### HTTP requests during the measured runs");
        Console.WriteLine();
        Console.WriteLine("Client-side request durations from System.Net.Http's metrics; the app's calls to Azurite and the bench's calls to the app. " +
            $"Per transition = count / {workflowOk} (workflow) or / {rawOk} (raw).");
        Console.WriteLine();
        Console.WriteLine("| Run | Target and method | Count | Per transition | Mean (ms) | p50 (ms) | p99 (ms) | Sum per transition (ms) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        PrintRequests("Workflow", workflowRequests, workflowOk);
        PrintRequests("Raw", rawRequests, rawOk);
        Console.WriteLine();
        Console.WriteLine($"Server-side (Kestrel) request duration in the workflow run: p50 {Ms(workflowServer.P50)} ms, p99 {Ms(workflowServer.P99)} ms, mean {Ms(workflowServer.Mean)} ms over {workflowServer.Count} requests.");
        Console.WriteLine();
        Console.WriteLine("### CPU during the measured runs");
        Console.WriteLine();
        Console.WriteLine("CPU seconds, and as a share of one core over the run's wall time (the machine has " + Environment.ProcessorCount + " logical cores, so 100% is one whole core).");
        Console.WriteLine();
        Console.WriteLine("| Run | Bench process: app + load generator | per transition (ms) | Azurite (Node.js) | per transition (ms) |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        PrintCpu("Workflow", workflowCpu, workflowWall, workflowOk);
        PrintCpu("Raw", rawCpu, rawWall, rawOk);
        Console.WriteLine();
        Console.WriteLine("### Integrity");
        Console.WriteLine();
        Console.WriteLine($"Main run (warm-up and measured): {integrity.Applications} applications, {integrity.Events} events; lost {integrity.Lost}, doubled {integrity.Doubled}, " +
            $"sequence errors {integrity.SequenceErrors}, state-row errors {integrity.StateErrors}.");
        if (options.Races > 0)
        {
            Console.WriteLine($"Race sub-test: {options.Races} applications, {raceIntegrity.Events} events; lost {raceIntegrity.Lost}, doubled {raceIntegrity.Doubled}, " +
                $"sequence errors {raceIntegrity.SequenceErrors}, state-row errors {raceIntegrity.StateErrors}; {race.Violations.Count} answer violations.");
            Console.WriteLine("Outcomes (A = rv-b01, A' = A repeated with the same Idempotency-Key, B = rv-hq with its own key):");
            foreach (var (outcome, count) in race.Outcomes.OrderByDescending(o => o.Value))
            {
                Console.WriteLine($"- {outcome}: {count}");
            }
        }

        Console.WriteLine($"Raw loop: state-row ETag read back {raw.ETagReads + rawWarmup.ETagReads} times (0 means every ETag came from the transaction's answer).");
        foreach (var problem in integrityProblems.Concat(raceProblems).Concat(race.Violations).Take(20))
        {
            Console.WriteLine($"  ! {problem}");
        }

        PrintFailures(warmupDriver, driver, raceDriver);
        foreach (var failure in rawWarmup.Failures.Concat(raw.Failures).Take(10))
        {
            Console.WriteLine($"  ! {failure}");
        }

        Console.WriteLine();
        Console.WriteLine(correct
            ? "Correctness: every command answered 2xx and every log checks out."
            : $"Correctness: FAILED ({errors} request errors, integrity clean: {integrity.Clean && raceIntegrity.Clean}, race violations: {race.Violations.Count}).");
        Console.WriteLine($"Targets: throughput ratio {(throughputMet ? "met" : "NOT met")}, p99 {(p99Met ? "met" : "NOT met")}.");
        return !correct ? 1 : options.Strict && !(throughputMet && p99Met) ? 2 : 0;

        static void PrintRequests(string run, IReadOnlyDictionary<string, Summary> requests, long transitions)
        {
            foreach (var (target, s) in requests)
            {
                Console.WriteLine($"| {run} | {target} | {s.Count} | {(double)s.Count / transitions:0.00} | {Ms(s.Mean)} | {Ms(s.P50)} | {Ms(s.P99)} | {s.Mean * s.Count / transitions:0.0} |");
            }
        }

        static void PrintCpu(string run, (double Self, double? Azurite) cpu, TimeSpan wall, long transitions)
        {
            var azurite = cpu.Azurite is { } a ? $"{a:0.0} s ({a / wall.TotalSeconds:P0}) | {a * 1000 / transitions:0.00}" : "unknown | -";
            Console.WriteLine($"| {run} | {cpu.Self:0.0} s ({cpu.Self / wall.TotalSeconds:P0}) | {cpu.Self * 1000 / transitions:0.00} | {azurite} |");
        }

        static void PrintFailures(params WorkflowDriver[] drivers)
        {
            foreach (var failure in drivers.SelectMany(d => d.Failures).Take(20))
            {
                Console.WriteLine($"  ! {failure}");
            }
        }

        // Lets the previous phase's leftovers (connections closing, GC) settle before measuring.
        static void Settle()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            Thread.Sleep(1000);
        }

        static Dictionary<int, string> StoragePorts(string connection)
        {
            var ports = new Dictionary<int, string>();
            foreach (var part in connection.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var (name, value) = part.Split('=', 2) is [var n, var v] ? (n, v) : ("", "");
                var kind = name switch
                {
                    "BlobEndpoint" => "azurite blob",
                    "QueueEndpoint" => "azurite queue",
                    "TableEndpoint" => "azurite table",
                    _ => null,
                };
                if (kind is not null && Uri.TryCreate(value, UriKind.Absolute, out var uri))
                {
                    ports[uri.Port] = kind;
                }
            }

            return ports;
        }
    }
}

/// <summary>Command-line options.</summary>
internal sealed record Options(int Apps, int Concurrency, int Warmup, int Races, string AppLogLevel, bool Strict, int ThinkMs = 0)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(400, 50, 50, 20, "Warning", false);
        for (var n = 0; n < args.Length; n++)
        {
            string Value() => n + 1 < args.Length ? args[++n] : throw new ArgumentException($"{args[n]} needs a value.");
            int Number() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{args[n - 1]} needs a whole number.");
            o = args[n] switch
            {
                "--apps" => o with { Apps = Math.Max(1, Number()) },
                "--concurrency" => o with { Concurrency = Math.Max(1, Number()) },
                "--warmup" => o with { Warmup = Number() },
                "--races" => o with { Races = Number() },
                "--app-log-level" => o with { AppLogLevel = Value() },
                "--strict" => o with { Strict = true },
                "--think-ms" => o with { ThinkMs = Number() },
                _ => throw new ArgumentException($"Unknown option {args[n]}. Options: --apps N --concurrency C --warmup W --races R --app-log-level L --strict --think-ms T"),
            };
        }

        return o;
    }
}
