using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An outbox whose queue notify fails while <see cref="Fail"/> is set: the app "crashes" after the write.</summary>
public sealed class CrashingOutbox(QueueServiceClient queues, TimeProvider time) : TransactionalOutbox(queues, time)
{
    public volatile bool Fail;

    public override Task NotifyAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken) =>
        Fail ? throw new HttpRequestException("Simulated crash between the table write and the queue notify.") : base.NotifyAsync(pointers, cancellationToken);
}

internal static class Outboxes
{
    public static async Task<List<OutboxEntry>> OfAsync(TestApp app, string id)
    {
        var table = app.Services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Applications);
        var entries = new List<OutboxEntry>();
        await foreach (var e in table.QueryAsync<OutboxEntry>(TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"outbox-"} and RowKey lt {"outbox."}")))
        {
            entries.Add(e);
        }

        return entries;
    }

    public static async Task<JsonArray> MailAsync(HttpClient client) => JsonNode.Parse(await client.GetStringAsync("/dev/mail?take=1000"))!.AsArray();

    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return await condition();
    }
}

/// <summary>Deadlines on a hand-moved clock: reminders at 80%, escalation at 100%, re-scheduling past 7 days, stale timers ignored.</summary>
public class WorkflowDeadlineTests : AppTestBase
{
    // Ahead of the real clock, so no other test app's runner finds these timers due.
    private static readonly DateTimeOffset T0 = new(DateTime.UtcNow.Date.AddDays(1), TimeSpan.Zero);
    private readonly ManualTime _clock = new(T0);

    public WorkflowDeadlineTests()
        : base(new TestApp(settings: new Dictionary<string, string?>
        {
            ["Workflow:StageDeadlines:Submitted"] = "00:00:00",
            ["Workflow:StageDeadlines:Investigation"] = "10.00:00:00",
        }))
    {
        App.WithServices(s => s.AddSingleton(new BusinessClock(_clock, TimeZoneInfo.Utc)));
    }

    private Loans Loans => field ??= new Loans(App);

    private async Task<string> FireAsync(TimerMessage timer) => (await App.RunQueueAsync("WorkflowTimer", JsonSerializer.Serialize(timer, ApplicationStore.Json))).Text();

    [Fact]
    public async Task The_assignee_is_reminded_at_80_percent_the_supervisor_told_at_100_and_stale_timers_do_nothing()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = false });

        var timers = (await Outboxes.OfAsync(App, id)).Where(e => e.Kind == WorkflowEffects.Timer)
            .Select(e => JsonSerializer.Deserialize<TimerMessage>(e.Payload, ApplicationStore.Json)!).ToList();
        var reminder = Assert.Single(timers, t => t.Kind == Domain.Applications.TimerKind.Reminder);
        var escalation = Assert.Single(timers, t => t.Kind == Domain.Applications.TimerKind.Escalation);
        Assert.Equal(T0.AddDays(8), reminder.DueAt);
        Assert.Equal(T0.AddDays(10), escalation.DueAt);
        Assert.Equal(3, reminder.Version);

        // Surfacing after 7 days (the queue's limit), the reminder is not due yet: it is sent again, nothing recorded.
        _clock.Now = T0.AddDays(7);
        var early = await FireAsync(reminder);
        Assert.Contains("sent again", early);
        Assert.Equal(3, (await Loans.HistoryAsync(id)).Count);

        _clock.Now = T0.AddDays(8);
        await FireAsync(reminder);
        await FireAsync(reminder); // delivered twice: reminded once
        var history = await Loans.HistoryAsync(id);
        Assert.Equal(["open", "submit", "investigation.save", "timer.reminder"], Loans.Commands(history));
        var notes = (await Outboxes.OfAsync(App, id)).Where(e => e.Kind == WorkflowEffects.Notify)
            .Select(e => JsonSerializer.Deserialize<NotificationMessage>(e.Payload, ApplicationStore.Json)!).ToList();
        var toOfficer = Assert.Single(notes, n => n.Kind == "reminder");
        Assert.Equal("lo-b01", toOfficer.UserId);

        _clock.Now = T0.AddDays(10);
        await FireAsync(escalation);
        notes = (await Outboxes.OfAsync(App, id)).Where(e => e.Kind == WorkflowEffects.Notify)
            .Select(e => JsonSerializer.Deserialize<NotificationMessage>(e.Payload, ApplicationStore.Json)!).ToList();
        var toSupervisor = Assert.Single(notes, n => n.Kind == "escalation");
        Assert.Equal(Domain.Identity.Role.BranchDirector, toSupervisor.Role);
        Assert.Equal("B01", toSupervisor.Branch?.Value);
        Assert.Equal("timer.escalation", Loans.Commands(await Loans.HistoryAsync(id)).Last());

        var task = JsonNode.Parse(await Loans.Officer.GetStringAsync("/api/tasks"))!.AsArray().Single(t => t!["applicationId"]!.GetValue<string>() == id)!;
        Assert.Equal(T0.AddDays(10), task["dueAt"]!.GetValue<DateTimeOffset>());

        // The stage moves on; the old timers find nothing to do.
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        var before = (await Loans.HistoryAsync(id)).Count;
        var stale = await FireAsync(escalation);
        Assert.Contains("nothing to do", stale);
        Assert.Equal(before, (await Loans.HistoryAsync(id)).Count);
    }

    [Fact]
    public async Task An_untouched_application_expires_but_not_one_acted_on_since_the_timer_was_set()
    {
        var id = await Loans.OpenAsync();
        var expiry = (await Outboxes.OfAsync(App, id)).Where(e => e.Kind == WorkflowEffects.Timer)
            .Select(e => JsonSerializer.Deserialize<TimerMessage>(e.Payload, ApplicationStore.Json)!).Single(t => t.Kind == Domain.Applications.TimerKind.Expiry);
        Assert.Equal(T0.AddDays(30), expiry.DueAt);

        var acted = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, acted, "submit", null);
        var actedExpiry = (await Outboxes.OfAsync(App, acted)).Where(e => e.Kind == WorkflowEffects.Timer)
            .Select(e => JsonSerializer.Deserialize<TimerMessage>(e.Payload, ApplicationStore.Json)!).First(t => t.Kind == Domain.Applications.TimerKind.Expiry && t.Version == 1);

        _clock.Now = T0.AddDays(30);
        await FireAsync(expiry);
        await FireAsync(actedExpiry);

        var expired = await Loans.GetAsync(id);
        Assert.Equal("Expired", Loans.State(expired));
        Assert.Equal("timer.expire", Loans.Commands(await Loans.HistoryAsync(id)).Last());
        Assert.Equal("Submitted", Loans.State(await Loans.GetAsync(acted)));
    }
}

/// <summary>The outbox, queues and mail with the local runner on: nothing is lost, even when the app stops after the write.</summary>
public class WorkflowDeliveryTests : AppTestBase
{
    public WorkflowDeliveryTests()
        : base(new TestApp(settings: new Dictionary<string, string?>
        {
            ["LocalRunner:Enabled"] = "true",
            ["Outbox:SweepGrace"] = "00:00:00",
        }))
    {
        App.WithServices(s => s.AddSingleton<TransactionalOutbox>(sp => new CrashingOutbox(sp.GetRequiredService<QueueServiceClient>(), sp.GetRequiredService<TimeProvider>())));
    }

    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task A_crash_after_the_write_and_before_the_dispatch_still_delivers_through_the_sweep()
    {
        var outbox = (CrashingOutbox)App.Services.GetRequiredService<TransactionalOutbox>();
        var id = await Loans.ToReviewAsync();
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });

        outbox.Fail = true;
        var approved = await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        outbox.Fail = false;
        Assert.Equal("Approved", Loans.State(approved));
        var pending = Assert.Single(await Outboxes.OfAsync(App, id), e => e.Kind == WorkflowEffects.Notify && e.Payload.Contains("\"approved\""));
        Assert.True(pending.Pending);

        var sweep = await App.RunTimerAsync("OutboxSweep");
        Assert.True((int)sweep.ReturnValue! >= 1);

        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["subject"]!.GetValue<string>().Contains("approved")
                && m["to"]!.AsArray().Any(t => t!.GetValue<string>() == "lo-b01@demo.creditflows.local")), TimeSpan.FromSeconds(30)),
            "The approval mail never arrived.");
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.OfAsync(App, id)).Single(e => e.RowKey == pending.RowKey).Pending == false, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Hand_off_reaches_the_core_banking_queue_and_decisions_reach_the_officer_by_mail()
    {
        var id = await Loans.ToReviewAsync();
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Return", ["comment"] = "Add the appraisal report." });
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["text"]!.GetValue<string>().Contains("Add the appraisal report.")),
            TimeSpan.FromSeconds(30)), "The return mail never arrived.");

        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-77", ["signedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd") });
        await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject());

        var queue = App.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.Queues.CoreBankingHandOff);
        JsonNode? handOff = null;
        Assert.True(await Outboxes.EventuallyAsync(async () =>
        {
            var peeked = (await queue.PeekMessagesAsync(32)).Value;
            handOff = peeked.Select(m => JsonNode.Parse(m.Body.ToString())).FirstOrDefault(n => n!["applicationId"]!.GetValue<string>() == id);
            return handOff is not null;
        }, TimeSpan.FromSeconds(30)), "The hand-off message never reached the core banking queue.");
        Assert.Equal("HT-77", handOff!["contractNumber"]!.GetValue<string>());
        Assert.Equal(500_000m, handOff["amount"]!.GetValue<decimal>());
        Assert.Equal(["BranchDirector:dir-b01"], handOff["approvedBy"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

}

/// <summary>
/// Expiry through a real delayed queue message, with the runner on. Its own app: a 3 s inactivity limit would
/// expire the other delivery tests' applications while they wait for mail on a loaded machine.
/// </summary>
public class WorkflowExpiryDeliveryTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?>
{
    ["LocalRunner:Enabled"] = "true",
    ["Workflow:ExpireAfterInactivity"] = "00:00:03",
}))
{
    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task An_application_left_alone_expires_through_a_real_delayed_queue_message()
    {
        var id = await Loans.OpenAsync();
        Assert.True(await Outboxes.EventuallyAsync(async () => Loans.State(await Loans.GetAsync(id)) == "Expired", TimeSpan.FromSeconds(40)),
            "The application did not expire.");
        Assert.Equal(["open", "timer.expire"], Loans.Commands(await Loans.HistoryAsync(id)));
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["subject"]!.GetValue<string>().Contains("expired")),
            TimeSpan.FromSeconds(30)), "The expiry mail never arrived.");
    }
}
