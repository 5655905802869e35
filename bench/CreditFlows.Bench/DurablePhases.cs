using System.Diagnostics;
using static CreditFlows.Bench.Summary;

namespace CreditFlows.Bench;

/// <summary>One lag phase: the commands as the clients saw them, and the orchestration lag behind them.</summary>
public sealed record LagResult(string Name, int Clients, int ThinkMs, long Commands, TimeSpan Wall, long Errors, Summary CommandLatency, Summary Lag,
    IReadOnlyDictionary<string, long> EndedBy, int Outstanding, long StatusReads, long TapHeard, long ReadErrors);

/// <summary>One start of the app on a task hub: when the host was up, the first command answered, the first orchestration step seen.</summary>
public sealed record StartupResult(string Hub, int Round, double HostStartMs, double OpenAnsweredMs, double FirstStepMs, double StopMs, bool Applied);

/// <summary>
/// The phases that measure the Durable side: the orchestration lag behind commands (a sample of applications, with
/// the <see cref="LagTracker"/> on), and the time from starting the app to its first orchestration step.
/// </summary>
public static class DurablePhases
{
    /// <summary>The lag behind <paramref name="apps"/> applications driven by <paramref name="clients"/> clients pausing <paramref name="thinkMs"/> after each answer.</summary>
    public static async Task<LagResult> LagAsync(string name, BenchApp app, OrchestrationTap tap, HttpClient http, Callers callers,
        int firstNumber, int apps, int clients, int thinkMs)
    {
        var probe = new OrchestrationProbe(app);
        var heardBefore = tap.Heard;
        await using var tracker = new LagTracker(probe, tap);
        var driver = new WorkflowDriver(http, callers) { ThinkTime = TimeSpan.FromMilliseconds(thinkMs), Answered = tracker.Answered };
        var (records, wall) = await driver.RunAsync(firstNumber, apps, clients);
        var outstanding = await tracker.DrainAsync(TimeSpan.FromSeconds(120));
        foreach (var failure in driver.Failures.Take(10))
        {
            Console.WriteLine($"  ! {failure}");
        }

        return new LagResult(name, clients, thinkMs, records.Sum(r => (long)r.Acknowledged.Count), wall, driver.Errors, driver.All.Summarise(), tracker.Lags.Summarise(),
            new Dictionary<string, long>(tracker.EndedBy), outstanding, probe.Reads, tap.Heard - heardBefore, tracker.ReadErrors);
    }

    /// <summary>
    /// Starts the app <paramref name="rounds"/> times on a new task hub, each time followed by a start on the same hub
    /// after the first app stopped gracefully: each start times the host's start, then opens an application and times
    /// until its orchestration has applied version 1 (status polled every 20 ms through the app's Durable client).
    /// </summary>
    public static async Task<IReadOnlyList<StartupResult>> StartupAsync(string storage, string appLogLevel, int rounds, IDictionary<string, string?>? settings = null)
    {
        var results = new List<StartupResult>();
        for (var round = 1; round <= rounds; round++)
        {
            var hub = BenchApp.NewHubName();
            results.Add(await StartOnceAsync(storage, appLogLevel, settings, hub, "new hub", round));
            results.Add(await StartOnceAsync(storage, appLogLevel, settings, hub, "hub stopped gracefully", round));
        }

        return results;
    }

    private static async Task<StartupResult> StartOnceAsync(string storage, string appLogLevel, IDictionary<string, string?>? settings, string hub, string kind, int round)
    {
        var started = Stopwatch.GetTimestamp();
        var app = new BenchApp(storage, appLogLevel, settings, hubName: hub);
        var address = app.Start();
        var hostStart = Stopwatch.GetElapsedTime(started);
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var callers = Callers.Issue(app);
        var driver = new WorkflowDriver(http, callers);
        var answer = await driver.SendAsync("/api/applications", callers.Officer, WorkflowDriver.OpenBody(900_000 + round), Guid.NewGuid().ToString());
        var openAnswered = Stopwatch.GetElapsedTime(started);
        var applied = false;
        var firstStep = TimeSpan.Zero;
        using var opened = System.Text.Json.JsonDocument.Parse(answer.Status == 201 ? answer.Body : "{}");
        if (opened.RootElement.TryGetProperty("id", out var idProperty) && idProperty.GetString() is { } id)
        {
            var probe = new OrchestrationProbe(app);
            while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(120))
            {
                if ((await probe.ReadAsync(id))?.Applied >= 1)
                {
                    applied = true;
                    break;
                }

                await Task.Delay(20);
            }

            firstStep = Stopwatch.GetElapsedTime(started);
        }
        else
        {
            Console.WriteLine($"  ! start on {kind}: open answered HTTP {answer.Status} {answer.Failure}");
        }

        var stopping = Stopwatch.GetTimestamp();
        await app.DisposeAsync(); // the host stops: the engine stops dispatching and gives its partition lease up
        return new StartupResult(kind, round, hostStart.TotalMilliseconds, openAnswered.TotalMilliseconds, firstStep.TotalMilliseconds,
            Stopwatch.GetElapsedTime(stopping).TotalMilliseconds, applied);
    }

    public static void PrintLag(IEnumerable<LagResult> results)
    {
        Console.WriteLine("| Phase | Clients | Think (ms) | Commands | Commands/s | Command p50 / p99 (ms) | Lag n | Lag p50 / p95 / p99 / max (ms) | Ended by answer / tap / poll | Not applied in 120 s | Status reads | Errors |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---|---|---:|---:|---:|");
        foreach (var r in results)
        {
            long By(string reason) => r.EndedBy.TryGetValue(reason, out var n) ? n : 0;
            Console.WriteLine($"| {r.Name} | {r.Clients} | {r.ThinkMs} | {r.Commands} | {r.Commands / r.Wall.TotalSeconds:0.0} | {Ms(r.CommandLatency.P50)} / {Ms(r.CommandLatency.P99)} | {r.Lag.Count} | " +
                $"{Ms(r.Lag.P50)} / {Ms(r.Lag.P95)} / {Ms(r.Lag.P99)} / {Ms(r.Lag.Max)} | {By("answer")} / {By("tap")} / {By("poll")} | {r.Outstanding} | {r.StatusReads} | {r.Errors + r.ReadErrors} |");
        }
    }

    public static void PrintStartup(IEnumerable<StartupResult> results)
    {
        Console.WriteLine("| Hub | Round | Host started (ms) | Open answered (ms) | First orchestration step (ms) | Stop (ms) | Applied |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
        foreach (var r in results)
        {
            Console.WriteLine($"| {r.Hub} | {r.Round} | {r.HostStartMs:0} | {r.OpenAnsweredMs:0} | {(r.Applied ? r.FirstStepMs.ToString("0", System.Globalization.CultureInfo.InvariantCulture) : "not within 120 s")} | {r.StopMs:0} | {r.Applied} |");
        }
    }
}
