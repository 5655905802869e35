using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.LocalRunner;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>The local runner's timers, against real Azurite, with seconds-level schedules; test functions come through the catalog.</summary>
public class TimerRunnerTests
{
    private static TestApp App(ScriptRoot root, RecordingFunction function, string name, TimerBinding binding, string? hostId = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["LocalRunner:Enabled"] = "true", ["FunctionApp:ScriptRoot"] = root.Path };
        if (hostId is not null)
        {
            settings["LocalRunner:HostId"] = hostId;
        }

        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return new TestApp(settings: settings).WithServices(s => s.AddTestFunction(name, binding, function));
    }

    [Fact]
    public async Task A_timer_fires_on_its_schedule_with_the_hosts_TimerInfo()
    {
        using var root = new ScriptRoot(ScriptRoot.HostJson(["EverySecond"]));
        var binding = new TimerBinding("*/1 * * * * *");
        var function = new RecordingFunction();
        await using var app = App(root, function, "EverySecond", binding);
        app.Start();

        Assert.True(await RecordingFunction.EventuallyAsync(() => function.Calls.Count >= 3, TimeSpan.FromSeconds(15)));
        var timers = function.Calls.Select(c => c.Timer!).ToList();
        Assert.All(timers, t => Assert.False(t.IsPastDue));
        Assert.All(timers, t => Assert.NotNull(t.ScheduleStatus));
        // Each invocation is for a distinct occurrence, a second apart on the schedule.
        var occurrences = timers.Select(t => t.ScheduleStatus!.Next).ToList();
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
        Assert.All(occurrences, o => Assert.Equal(0, o.Millisecond));
    }

    [Fact]
    public async Task A_schedule_can_come_from_an_app_setting()
    {
        using var root = new ScriptRoot(ScriptRoot.HostJson(["FromSetting"]));
        var binding = new TimerBinding("%TestSchedule%");
        var function = new RecordingFunction();
        await using var app = App(root, function, "FromSetting", binding, extra: new() { ["TestSchedule"] = "*/1 * * * * *" });
        app.Start();

        Assert.True(await RecordingFunction.EventuallyAsync(() => !function.Calls.IsEmpty, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task RunOnStartup_fires_once_when_the_listener_starts()
    {
        using var root = new ScriptRoot(ScriptRoot.HostJson(["Yearly"]));
        var binding = new TimerBinding("0 0 0 1 1 *", RunOnStartup: true);
        var function = new RecordingFunction();
        await using var app = App(root, function, "Yearly", binding);
        app.Start();

        Assert.True(await RecordingFunction.EventuallyAsync(() => !function.Calls.IsEmpty, TimeSpan.FromSeconds(10)));
        await Task.Delay(1500);
        Assert.Single(function.Calls);
    }

    [Fact]
    public async Task An_occurrence_missed_while_the_app_was_down_fires_once_at_start_as_past_due()
    {
        var hostId = $"t{Guid.NewGuid():N}"[..30];
        using var root = new ScriptRoot(ScriptRoot.HostJson(["EveryTwo"]));
        var binding = new TimerBinding("*/2 * * * * *", UseMonitor: true);

        var first = new RecordingFunction("first");
        await using (var app = App(root, first, "EveryTwo", binding, hostId))
        {
            app.Start();
            Assert.True(await RecordingFunction.EventuallyAsync(() => !first.Calls.IsEmpty, TimeSpan.FromSeconds(10)));
        }

        // Down for longer than one interval: the status blob's Next passes.
        await Task.Delay(TimeSpan.FromSeconds(4));

        var second = new RecordingFunction("second");
        await using var restarted = App(root, second, "EveryTwo", binding, hostId);
        restarted.Start();
        Assert.True(await RecordingFunction.EventuallyAsync(() => !second.Calls.IsEmpty, TimeSpan.FromSeconds(10)));
        var catchUp = second.Calls.First().Timer!;
        Assert.True(catchUp.IsPastDue);
        Assert.True(catchUp.ScheduleStatus!.Next < second.Calls.First().At.UtcDateTime);

        // Only that one catch-up is past due; the schedule then runs on time.
        Assert.True(await RecordingFunction.EventuallyAsync(() => second.Calls.Count >= 3, TimeSpan.FromSeconds(10)));
        Assert.Single(second.Calls, c => c.Timer!.IsPastDue);

        var status = await new ScheduleMonitor(restarted.Services.GetRequiredService<Azure.Storage.Blobs.BlobServiceClient>())
            .GetStatusAsync(hostId, "EveryTwo", CancellationToken.None);
        Assert.NotNull(status);
        Assert.True(status.Last > catchUp.ScheduleStatus.Next);
    }

    [Fact]
    public async Task Two_app_instances_never_both_fire_one_occurrence()
    {
        var hostId = $"t{Guid.NewGuid():N}"[..30];
        using var root = new ScriptRoot(ScriptRoot.HostJson(["Shared"]));
        var binding = new TimerBinding("*/1 * * * * *");
        var a = new RecordingFunction("a");
        var b = new RecordingFunction("b");
        await using var appA = App(root, a, "Shared", binding, hostId);
        await using var appB = App(root, b, "Shared", binding, hostId);
        appA.Start();
        appB.Start();

        Assert.True(await RecordingFunction.EventuallyAsync(() => a.Calls.Count + b.Calls.Count >= 5, TimeSpan.FromSeconds(20)));
        var all = a.Calls.Concat(b.Calls).ToList();
        var occurrences = all.Select(c => c.Timer!.ScheduleStatus!.Next).ToList();
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
        // One instance holds the listener lease; the other never fires while it does.
        Assert.True(a.Calls.IsEmpty || b.Calls.IsEmpty, $"both fired: a={a.Calls.Count}, b={b.Calls.Count}");
    }

    [Fact]
    public async Task A_disabled_function_does_not_fire()
    {
        using var root = new ScriptRoot(ScriptRoot.HostJson(["Off"]));
        var binding = new TimerBinding("*/1 * * * * *", RunOnStartup: true);
        var function = new RecordingFunction();
        await using var app = App(root, function, "Off", binding, extra: new() { ["AzureWebJobs:Off:Disabled"] = "true" });
        app.Start();

        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Empty(function.Calls);
    }

    [Theory]
    [InlineData("0 */5 * * * *", true)]
    [InlineData("*/5 * * * *", true)]
    [InlineData("*/10 * * * * *", false)]
    public void UseMonitor_defaults_to_on_for_schedules_a_minute_or_more_apart(string expression, bool expected) =>
        Assert.Equal(expected, CronSchedule.Parse(expression).RecursAtLeastAMinuteApart(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));

    [Theory]
    [InlineData("* * * *")]
    [InlineData("0 0 0 0 0 0 0")]
    [InlineData("61 * * * * *")]
    public void Malformed_schedules_are_refused_with_the_reason(string expression) =>
        Assert.Throws<FormatException>(() => CronSchedule.Parse(expression));

    [Fact]
    public void Five_field_schedules_run_on_the_minute_in_UTC() =>
        Assert.Equal(new DateTime(2026, 1, 1, 1, 30, 0, DateTimeKind.Utc),
            CronSchedule.Parse("30 1 * * *").NextAfter(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc)));
}
