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
// back, which is the saturation test the targets are judged on), --lag-apps A --lag-clients L --lag-think-ms T (the lag phase
// at a realistic load, default 30 applications, 10 clients, 1000 ms), --lag-burst-apps B (the lag phase at the measured
// concurrency back to back, default 50; 0 skips it), --startup-rounds S (starts of the app on a new hub and again on
// that hub, default 2; 0 skips them), --catch-up-s S (how long the orchestrations get after the measured run to apply
// every event, default 60), --setting Key=Value (an app setting for every app the bench starts, e.g.
// DurableTask:MaxQueuePollingInterval=00:00:00.250; repeatable). The Durable engine runs while commands are measured (orchestrations live); afterwards the run
// checks that every orchestration applied every version, then stops the app, so that the raw loop runs alone and the lag
// phases start on a fresh app and task hub without the measured run's backlog.
// `startup` or `lag` as the first argument runs only those phases (DurablePhases.cs).
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

        if (args.Length > 0 && args[0] is "startup" or "lag")
        {
            return await OnlyDurableAsync(args[0], Options.Parse(args[1..]), storage);
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

        var tap = new OrchestrationTap();
        await using var app = new BenchApp(storage, options.AppLogLevel, options.Settings, tap: tap);
        var address = app.Start();
        meter.AddPort(address.Port, "app");
        meter.AddPort(80, "durable sidecar (gRPC)"); // the Durable client and worker reach the embedded sidecar as http://localhost on a Unix socket
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(60),
        };
        var callers = Callers.Issue(app);
        Console.WriteLine($"App on {address}, task hub {app.HubName}");

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

        // ---------------------------------------------------------------- orchestrations caught up
        // Every orchestration must apply its application's whole log (8 events); how long after the last answer it took.
        var probe = new OrchestrationProbe(app);
        var completedIds = warmupApps.Concat(measuredApps).Where(a => a.Completed).Select(a => a.Id!).ToList();
        var (caughtUp, behind) = await probe.WaitAllAppliedAsync(completedIds, perApp, TimeSpan.FromSeconds(options.CatchUpSeconds), TimeSpan.FromMilliseconds(200));
        Console.WriteLine($"Orchestrations: {completedIds.Count - behind.Count} of {completedIds.Count} applied all {perApp} events, the last {caughtUp.TotalSeconds:0.0} s after the workflow run ended; tap heard {tap.Heard} stored steps");

        // ---------------------------------------------------------------- integrity
        var (integrity, integrityProblems) = await Integrity.CheckStoredAsync(tables,
            warmupApps.Concat(measuredApps).Select(a => (a, a.Completed ? "Disbursed" : (string?)null)));
        Console.WriteLine($"Integrity: {integrity}");

        // ---------------------------------------------------------------- race sub-test
        var raceDriver = new WorkflowDriver(http, callers);
        var race = new RaceTest(raceDriver, callers);
        var raceIntegrity = IntegrityResult.Empty;
        var raceProblems = new List<string>();
        IReadOnlyList<string> racesBehind = [];
        if (options.Races > 0)
        {
            var raceApps = await race.RunAsync(200_000, options.Races, 10);
            (raceIntegrity, raceProblems) = await Integrity.CheckStoredAsync(tables,
                raceApps.Select(a => (a, a.Acknowledged.Count == 4 ? "Authorisation" : (string?)null)));
            Console.WriteLine($"Races: {options.Races}, {race.Violations.Count} violations, log check {raceIntegrity}");

            // Their orchestrations catch up too before the raw loop, which should not share Azurite with them.
            var raced = raceApps.Where(a => a.Acknowledged.Count == 4).Select(a => a.Id!).ToList();
            (_, racesBehind) = await probe.WaitAllAppliedAsync(raced, 4, TimeSpan.FromSeconds(options.CatchUpSeconds), TimeSpan.FromMilliseconds(200));
            Console.WriteLine($"Race orchestrations: {raced.Count - racesBehind.Count} of {raced.Count} applied all 4 events");
        }

        await app.DisposeAsync(); // the Durable engine stops: the raw loop runs alone, and the lag phases start afresh

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

        // ---------------------------------------------------------------- orchestration lag, startup
        var lags = await LagPhasesAsync(options, storage);
        var startups = await DurablePhases.StartupAsync(storage, options.AppLogLevel, options.StartupRounds, options.Settings);

        // ---------------------------------------------------------------- report
        var ratio = workflowRate / rawRate;
        var errors = warmupDriver.Errors + driver.Errors + raceDriver.Errors + rawWarmup.Errors + raw.Errors + lags.Sum(l => l.Errors + l.ReadErrors);
        var throughputMet = ratio >= 0.5;
        var p99Met = workflowLatency.P99 <= 1.5 * rawLatency.P99;
        var lagMet = lags.All(l => l.Lag.P99 < 2000 && l.Outstanding == 0);
        var startupMet = startups.All(s => s.Applied && s.FirstStepMs < 5000);
        var correct = errors == 0 && integrity.Clean && raceIntegrity.Clean && race.Violations.IsEmpty && behind.Count == 0 && racesBehind.Count == 0 && lags.All(l => l.Outstanding == 0);

        Console.WriteLine();
        Console.WriteLine("## Results");
        Console.WriteLine();
        Console.WriteLine($"| Run | Transitions | Wall (s) | Transitions/s | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | Errors |");
        Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| Workflow over HTTP ({options.Concurrency} clients) | {workflowOk} | {workflowWall.TotalSeconds:0.0} | {workflowRate:0.0} | {Ms(workflowLatency.P50)} | {Ms(workflowLatency.P95)} | {Ms(workflowLatency.P99)} | {Ms(workflowLatency.Max)} | {driver.Errors} |");
        Console.WriteLine($"| Raw table transactions ({options.Concurrency} clients) | {rawOk} | {rawWall.TotalSeconds:0.0} | {rawRate:0.0} | {Ms(rawLatency.P50)} | {Ms(rawLatency.P95)} | {Ms(rawLatency.P99)} | {Ms(rawLatency.Max)} | {raw.Errors} |");
        Console.WriteLine();
        Console.WriteLine($"Workflow / raw throughput: {ratio:P0} (target ≥ 50%: {(throughputMet ? "met" : "NOT met")}).");
        Console.WriteLine($"Workflow command p99: {Ms(workflowLatency.P99)} ms, {workflowLatency.P99 / rawLatency.P99:0.00}× the raw loop's {Ms(rawLatency.P99)} ms (target ≤ 1.5×: {(p99Met ? "met" : "NOT met")}).");
        Console.WriteLine($"Orchestrations during the workflow run: {completedIds.Count - behind.Count} of {completedIds.Count} applied all {perApp} events, the last {caughtUp.TotalSeconds:0.0} s after the run's last answer.");
        Console.WriteLine();
        Console.WriteLine("### Orchestration lag (command answered → the orchestration's custom status shows it applied)");
        Console.WriteLine();
        DurablePhases.PrintLag(lags);
        Console.WriteLine();
        Console.WriteLine($"Lag p99 target < 2000 ms in every phase: {(lagMet ? "met" : "NOT met")}.");
        Console.WriteLine();
        Console.WriteLine("### Startup to the first orchestration step");
        Console.WriteLine();
        DurablePhases.PrintStartup(startups);
        Console.WriteLine();
        Console.WriteLine($"Startup target < 5000 ms to the first step in every start: {(startupMet ? "met" : "NOT met")}.");
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
        Console.WriteLine($"Targets: throughput ratio {(throughputMet ? "met" : "NOT met")}, p99 {(p99Met ? "met" : "NOT met")}, " +
            $"lag {(lagMet ? "met" : "NOT met")}, startup {(startupMet ? "met" : "NOT met")}.");
        return !correct ? 1 : options.Strict && !(throughputMet && p99Met && lagMet && startupMet) ? 2 : 0;

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

        // `startup` or `lag` alone: the app's starts, or the lag phases on one app (each with the bench's usual options).
        static async Task<int> OnlyDurableAsync(string mode, Options options, string storage)
        {
            Environment.CurrentDirectory = AppContext.BaseDirectory;
            if (mode == "startup")
            {
                var results = await DurablePhases.StartupAsync(storage, options.AppLogLevel, Math.Max(1, options.StartupRounds), options.Settings);
                DurablePhases.PrintStartup(results);
                return results.All(r => r.Applied) ? 0 : 1;
            }

            var lags = await LagPhasesAsync(options, storage);
            DurablePhases.PrintLag(lags);
            return lags.All(l => l.Errors == 0 && l.Outstanding == 0) ? 0 : 1;
        }

        // The lag phases on a fresh app and task hub (its own warm-up first): the realistic load, then back to back.
        static async Task<List<LagResult>> LagPhasesAsync(Options options, string storage)
        {
            var tap = new OrchestrationTap();
            await using var app = new BenchApp(storage, options.AppLogLevel, options.Settings, tap: tap);
            using var http = new HttpClient { BaseAddress = app.Start(), Timeout = TimeSpan.FromSeconds(60) };
            var callers = Callers.Issue(app);
            var warmup = Math.Min(options.Warmup, 10);
            var (warmed, _) = await new WorkflowDriver(http, callers).RunAsync(500_000, warmup, Math.Max(1, Math.Min(options.LagClients, warmup)));
            // The warm-up's orchestrations catch up before the clock starts.
            await new OrchestrationProbe(app).WaitAllAppliedAsync([.. warmed.Where(a => a.Completed).Select(a => a.Id!)], WorkflowDriver.Steps.Count,
                TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
            List<LagResult> lags = [await DurablePhases.LagAsync("Lag, realistic load", app, tap, http, callers, 300_000, options.LagApps, options.LagClients, options.LagThinkMs)];
            Console.WriteLine($"Lag phase at {options.LagClients} clients done");
            if (options.LagBurstApps > 0)
            {
                lags.Add(await DurablePhases.LagAsync("Lag, back to back", app, tap, http, callers, 400_000, options.LagBurstApps, options.Concurrency, 0));
                Console.WriteLine($"Lag phase at {options.Concurrency} clients done");
            }

            return lags;
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
internal sealed record Options(int Apps, int Concurrency, int Warmup, int Races, string AppLogLevel, bool Strict, int ThinkMs = 0,
    int LagApps = 30, int LagClients = 10, int LagThinkMs = 1000, int LagBurstApps = 50, int StartupRounds = 2, int CatchUpSeconds = 60)
{
    public Dictionary<string, string?> Settings { get; } = new(StringComparer.OrdinalIgnoreCase);

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
                "--lag-apps" => o with { LagApps = Math.Max(1, Number()) },
                "--lag-clients" => o with { LagClients = Math.Max(1, Number()) },
                "--lag-think-ms" => o with { LagThinkMs = Number() },
                "--lag-burst-apps" => o with { LagBurstApps = Number() },
                "--startup-rounds" => o with { StartupRounds = Number() },
                "--catch-up-s" => o with { CatchUpSeconds = Number() },
                "--setting" => Value().Split('=', 2) is [var key, var value] ? o.With(key, value) : throw new ArgumentException("--setting needs Key=Value."),
                _ => throw new ArgumentException($"Unknown option {args[n]}. Options: --apps N --concurrency C --warmup W --races R --app-log-level L --strict --think-ms T " +
                    "--lag-apps A --lag-clients L --lag-think-ms T --lag-burst-apps B --startup-rounds S --catch-up-s S --setting Key=Value"),
            };
        }

        return o;
    }

    private Options With(string key, string value)
    {
        Settings[key] = value;
        return this;
    }
}
