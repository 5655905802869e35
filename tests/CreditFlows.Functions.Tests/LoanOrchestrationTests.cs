using System.Net;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using CreditFlows.Functions.Features.Workflow;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The loan workflow orchestrated by Durable, against Azurite: the embedded engine (DurableTask.AzureStorage behind
/// the SDK's sidecar) runs the same orchestrator and activities the Functions host runs. Real time, short deadlines.
/// </summary>
public class LoanOrchestrationTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?>
{
    ["LocalRunner:Enabled"] = "true",
    ["Workflow:StageDeadlines:Submitted"] = "00:00:06",
}))
{
    private Loans Loans => field ??= new Loans(App);

    private async Task<JsonObject?> OrchestrationAsync(string id) => (await Loans.GetAsync(id))["orchestration"] as JsonObject;

    private async Task AppliedAsync(string id)
    {
        var version = (await Loans.GetAsync(id))["version"]!.GetValue<int>();
        Assert.True(await Outboxes.EventuallyAsync(async () => (await OrchestrationAsync(id))?["applied"]?.GetValue<int>() >= version, TimeSpan.FromSeconds(30)),
            $"The orchestration of {id} did not apply version {version}: {(await OrchestrationAsync(id))?.ToJsonString()}");
    }

    [Fact]
    public async Task Opening_starts_the_application_s_orchestration_which_applies_each_command()
    {
        var id = await Loans.OpenAsync();
        await AppliedAsync(id);
        var orchestration = (await OrchestrationAsync(id))!;
        Assert.Equal($"loan-{id}", orchestration["instanceId"]!.GetValue<string>());
        Assert.Equal("Running", orchestration["runtimeStatus"]!.GetValue<string>());

        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        await AppliedAsync(id);
    }

    [Fact]
    public async Task The_reminder_and_the_escalation_are_fired_by_durable_timers()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null); // Submitted: 6 s deadline, reminder at 80%
        Assert.True(await Outboxes.EventuallyAsync(async () => Loans.Commands(await Loans.HistoryAsync(id)).Contains("timer.escalation"), TimeSpan.FromSeconds(40)),
            $"No escalation: {string.Join(", ", Loans.Commands(await Loans.HistoryAsync(id)))}");
        var commands = Loans.Commands(await Loans.HistoryAsync(id));
        Assert.Equal(["open", "submit", "timer.reminder", "timer.escalation"], commands);
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["subject"]!.GetValue<string>().Contains("Overdue")),
            TimeSpan.FromSeconds(30)), "The escalation mail never arrived.");
    }

    [Fact]
    public async Task The_hand_off_activity_run_again_or_at_once_sends_one_message()
    {
        var id = await Loans.ToReviewAsync();
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-9", ["signedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd") });
        var handedOff = await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject());
        await AppliedAsync(id);

        // The orchestration ran it once; four more executions at once and one after: still one message.
        var runner = App.Services.GetRequiredService<WorkflowEffectsRunner>();
        var input = new HandOffInput(id, handedOff["version"]!.GetValue<int>());
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            try
            {
                await runner.HandOffAsync(input, CancellationToken.None);
            }
            catch (InvalidOperationException)
            {
                // "being sent by another execution": the orchestration's retry would look again.
            }
        })));
        await runner.HandOffAsync(input, CancellationToken.None);

        var queue = App.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.Queues.CoreBankingHandOff);
        var ours = (await queue.PeekMessagesAsync(32)).Value.Count(m => JsonNode.Parse(m.Body.ToString())!["applicationId"]!.GetValue<string>() == id);
        Assert.Equal(1, ours);
    }

    [Fact]
    public async Task A_repeated_changed_event_has_one_effect()
    {
        var id = await Loans.ToReviewAsync();
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Return", ["comment"] = "补充评估报告 Add the appraisal." });
        await AppliedAsync(id);
        var signals = App.Services.GetRequiredService<WorkflowSignals>();
        var version = (await Loans.GetAsync(id))["version"]!.GetValue<int>();
        await signals.ChangedAsync(id, version, CancellationToken.None);
        await signals.ChangedAsync(id, version, CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        await AppliedAsync(id);
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Count(m => m!["subject"]!.GetValue<string>().Contains(id) && m["text"]!.GetValue<string>().Contains("Add the appraisal")) == 1,
            TimeSpan.FromSeconds(30)), "The return mail did not arrive exactly once.");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, (await Outboxes.MailAsync(Client)).Count(m => m!["subject"]!.GetValue<string>().Contains(id) && m["text"]!.GetValue<string>().Contains("Add the appraisal")));
    }
}

/// <summary>An orchestration waiting mid-stage survives its process: a new app on the same task hub carries on.</summary>
public class LoanOrchestrationRestartTests
{
    [Fact]
    public async Task An_orchestration_resumes_after_the_hosting_process_is_stopped_and_started_again()
    {
        var hub = $"r{Guid.NewGuid():N}"[..20];
        var settings = new Dictionary<string, string?> { ["DurableTask:HubName"] = hub, ["LocalRunner:Enabled"] = "true" };
        string id;
        await using (var first = new TestApp(settings: settings))
        {
            first.Start();
            var loans = new Loans(first);
            id = await loans.ToReviewAsync();
            var version = (await loans.GetAsync(id))["version"]!.GetValue<int>();
            Assert.True(await Outboxes.EventuallyAsync(async () => (await loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>() >= version, TimeSpan.FromSeconds(30)));
        }

        await using var second = new TestApp(settings: settings);
        var client = second.Start();
        var again = new Loans(second);
        await again.CommandAsync(again.Reviewer, id, "review", new JsonObject { ["outcome"] = "Return", ["comment"] = "重启后 After the restart." });
        var now = (await again.GetAsync(id))["version"]!.GetValue<int>();
        // An activity the first app had taken when it stopped is run again once its work item's visibility (30 s) runs out.
        Assert.True(await Outboxes.EventuallyAsync(async () => (await again.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>() >= now, TimeSpan.FromSeconds(90)),
            $"The orchestration did not carry on in the new process: {(await again.GetAsync(id))["orchestration"]?.ToJsonString()}");
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["text"]!.GetValue<string>().Contains("After the restart")),
            TimeSpan.FromSeconds(30)), "The return mail from the resumed orchestration never arrived.");
    }

    [Fact]
    public async Task A_command_whose_signal_was_lost_is_applied_when_the_client_retries_with_its_key()
    {
        await using var app = new TestApp(settings: new Dictionary<string, string?> { ["LocalRunner:Enabled"] = "true" });
        app.Start();
        var loans = new Loans(app);

        // Opened and started, with no other event pending: the orchestration waits for the next one.
        var id = await loans.OpenAsync();
        Assert.True(await Outboxes.EventuallyAsync(async () => (await loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>() >= 1, TimeSpan.FromSeconds(30)));

        // The process "stops" between storing the submit and signalling: no signal reaches the orchestration.
        app.Services.GetRequiredService<WorkflowSignals>().Muted = true;
        var key = Guid.NewGuid().ToString("N");
        await loans.CommandAsync(loans.Officer, id, "submit", null, idempotencyKey: key);
        app.Services.GetRequiredService<WorkflowSignals>().Muted = false;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, (await loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>());

        // The client got no answer, so it sends the same command again: the replay re-signals, nothing is stored twice.
        var replay = await Loans.SendAsync(loans.Officer, id, "submit", null, idempotencyKey: key);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.True(await Outboxes.EventuallyAsync(async () => (await loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>() >= 2, TimeSpan.FromSeconds(30)));
        Assert.Equal(2, (await loans.GetAsync(id))["version"]!.GetValue<int>());
    }
}

/// <summary>
/// WorkflowReconcile: the safety net when nobody retries a command whose signal was lost, and the upgrade path.
/// The test storage holds every test's applications, so the run looks back only 30 s (a scheduled occurrence): an
/// orchestration it starts in this app for another test's application does what that one's would, idempotently.
/// </summary>
public class WorkflowReconcileTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?>
{
    ["LocalRunner:Enabled"] = "true",
    ["Workflow:ReconcileWindow"] = "00:00:30",
}))
{
    private Loans Loans => field ??= new Loans(App);

    private async Task<int?> AppliedAsync(string id) => (await Loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int?>();

    [Fact]
    public async Task A_lost_signal_nobody_retries_and_an_application_without_an_orchestration_are_both_picked_up()
    {
        var signals = App.Services.GetRequiredService<WorkflowSignals>();

        // An application stored while no signal got through: as if opened before the orchestrations existed.
        signals.Muted = true;
        var orphan = await Loans.OpenAsync();
        signals.Muted = false;
        Assert.Equal("NotStarted", (await Loans.GetAsync(orphan))["orchestration"]!["runtimeStatus"]!.GetValue<string>());

        // A running orchestration whose last command's signal was lost, with no retry.
        var behind = await Loans.OpenAsync();
        Assert.True(await Outboxes.EventuallyAsync(async () => await AppliedAsync(behind) >= 1, TimeSpan.FromSeconds(30)));
        signals.Muted = true;
        await Loans.CommandAsync(Loans.Officer, behind, "submit", null);
        signals.Muted = false;
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await AppliedAsync(behind));

        var scheduled = new TimerState(new ScheduleStatus(DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow, DateTime.UtcNow), IsPastDue: false);
        var run = await App.RunTimerAsync(WorkflowReconcileFunction.Name, scheduled);
        Assert.Matches(@"[1-9]\d* orchestration\(s\) started, [1-9]\d* woken", string.Join(" ", run.Logs));

        Assert.True(await Outboxes.EventuallyAsync(async () => await AppliedAsync(orphan) >= 1, TimeSpan.FromSeconds(30)), "The orphan's orchestration was not started.");
        Assert.True(await Outboxes.EventuallyAsync(async () => await AppliedAsync(behind) >= 2, TimeSpan.FromSeconds(30)), "The lagging orchestration was not woken.");
    }
}

/// <summary>A loan through every tier, the committee included, with its orchestration from open to completion.</summary>
public class LoanOrchestrationFullLoanTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?> { ["LocalRunner:Enabled"] = "true" }))
{
    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task A_loan_goes_through_every_tier_and_the_committee_and_its_orchestration_completes_once_disbursed_and_inspected()
    {
        var id = await Loans.ToReviewAsync(amount: 15_000_000m, guarantee: "Mortgage");
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve());
        var atCommittee = await Loans.CommandAsync(Loans.HqCredit, id, "decision", Loans.Approve());
        Assert.Equal("Committee", atCommittee["currentTier"]!.GetValue<string>());

        // The committee's votes arrive at once (fan-in): each a command, each an event the orchestration applies.
        var members = new[] { Loans.As("cm-1", "HQ", Domain.Identity.Role.CommitteeMember), Loans.As("cm-2", "HQ", Domain.Identity.Role.CommitteeMember), Loans.As("cm-3", "HQ", Domain.Identity.Role.CommitteeMember) };
        var votes = await Task.WhenAll(members.Select(m => Loans.SendAsync(m, id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "同意 Agreed" }, idempotencyKey: Guid.NewGuid().ToString("N"))));
        Assert.All(votes, v => Assert.True(v.StatusCode is HttpStatusCode.OK or HttpStatusCode.Conflict, $"vote answered {(int)v.StatusCode}"));
        for (var retry = 0; retry < 5 && (await Loans.GetAsync(id))["committee"]!["ballots"]!.AsArray().Count < members.Length; retry++)
        {
            // A vote that lost the race (409) is cast again, as a member would.
            foreach (var (member, answer) in members.Zip(votes).Where(p => p.Second.StatusCode == HttpStatusCode.Conflict))
            {
                await Loans.SendAsync(member, id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "同意 Agreed" }, idempotencyKey: Guid.NewGuid().ToString("N"));
            }
        }

        await Loans.CommandAsync(Loans.Chair, id, "vote", new JsonObject { ["vote"] = "Approve", ["opinion"] = "同意 Agreed" });
        Assert.Equal("Approved", Loans.State(await Loans.GetAsync(id)));
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-15M", ["signedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd") });
        await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject());
        await Loans.CommandAsync(Loans.CoreBanking, id, "disbursement", new JsonObject { ["loanAccountNumber"] = "6228-15", ["amount"] = 15_000_000m, ["disbursedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd") });
        await Loans.CommandAsync(Loans.Officer, id, "inspection", new JsonObject { ["inspectedOn"] = DateTime.UtcNow.ToString("yyyy-MM-dd"), ["findings"] = "资金用途与申请一致 Funds used as applied." });

        Assert.True(await Outboxes.EventuallyAsync(async () => (await Loans.GetAsync(id))["orchestration"]?["runtimeStatus"]?.GetValue<string>() == "Completed", TimeSpan.FromSeconds(60)),
            $"The orchestration did not complete: {(await Loans.GetAsync(id))["orchestration"]?.ToJsonString()}");
        var history = Loans.Commands(await Loans.HistoryAsync(id));
        Assert.Equal(1, history.Count(c => c == "handoff"));
        var queue = App.Services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.Queues.CoreBankingHandOff);
        Assert.Equal(1, (await queue.PeekMessagesAsync(32)).Value.Count(m => JsonNode.Parse(m.Body.ToString())!["applicationId"]!.GetValue<string>() == id));
        Assert.True(await Outboxes.EventuallyAsync(async () =>
            (await Outboxes.MailAsync(Client)).Any(m => m!["subject"]!.GetValue<string>().Contains(id) && m["to"]!.AsArray().Any(t => t!.GetValue<string>().StartsWith("cm-3@", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(30)), "The committee members were not mailed.");
    }
}

/// <summary>
/// An application stored by the code before the orchestrations (its events carry no effects, its timers were queue
/// messages nobody reads now, it has no orchestration) is taken over by WorkflowReconcile and carried on to the end.
/// </summary>
public class LoanOrchestrationUpgradeTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?>
{
    ["LocalRunner:Enabled"] = "true",
    ["Workflow:ReconcileWindow"] = "00:00:30",
    ["Workflow:StageDeadlines:Submitted"] = "00:00:08",
}))
{
    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task An_application_from_before_the_orchestrations_gets_one_and_its_stage_timers_fire()
    {
        var signals = App.Services.GetRequiredService<WorkflowSignals>();
        signals.Muted = true;
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        signals.Muted = false;

        // Written as the previous code wrote it: no Effects column on the events.
        var table = App.Services.GetRequiredService<Azure.Data.Tables.TableServiceClient>().GetTableClient(StorageNames.Tables.Applications);
        await foreach (var row in table.QueryAsync<Azure.Data.Tables.TableEntity>(Azure.Data.Tables.TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {"event-"} and RowKey lt {"event."}")))
        {
            row.Remove("Effects");
            await table.UpdateEntityAsync(row, row.ETag, Azure.Data.Tables.TableUpdateMode.Replace);
        }

        Assert.Equal("NotStarted", (await Loans.GetAsync(id))["orchestration"]!["runtimeStatus"]!.GetValue<string>());
        var scheduled = new TimerState(new ScheduleStatus(DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow, DateTime.UtcNow), IsPastDue: false);
        await App.RunTimerAsync(WorkflowReconcileFunction.Name, scheduled);

        Assert.True(await Outboxes.EventuallyAsync(async () => Loans.Commands(await Loans.HistoryAsync(id)).Contains("timer.escalation"), TimeSpan.FromSeconds(60)),
            $"The stage's timers were not taken over: {string.Join(", ", Loans.Commands(await Loans.HistoryAsync(id)))}");
        Assert.Equal(["open", "submit", "timer.reminder", "timer.escalation"], Loans.Commands(await Loans.HistoryAsync(id)));

        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true });
        var version = (await Loans.GetAsync(id))["version"]!.GetValue<int>();
        Assert.True(await Outboxes.EventuallyAsync(async () => (await Loans.GetAsync(id))["orchestration"]?["applied"]?.GetValue<int>() >= version, TimeSpan.FromSeconds(30)),
            "The taken-over orchestration did not apply the next command.");
    }
}
