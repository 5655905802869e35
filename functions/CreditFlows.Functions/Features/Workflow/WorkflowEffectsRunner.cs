using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using CreditFlows.Domain.Applications;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Workflow;

/// <summary>
/// What the loan orchestration's activities do, each idempotent: reading the log, handing mail to the
/// notifications queue (the id of the event and effect makes SendNotification send it once), and the
/// core-banking hand-off (a claim row in the application's partition makes it one message per application).
/// </summary>
public sealed partial class WorkflowEffectsRunner(
    ApplicationStore store,
    TableServiceClient tables,
    QueueServiceClient queues,
    Authority.WorkflowPolicySource policies,
    TimeProvider time,
    ILogger<WorkflowEffectsRunner> logger)
{
    /// <summary>Row of the hand-off claim in the application's partition.</summary>
    public const string HandOffRow = "handoff";

    /// <summary>A claim left "sending" this long by a process that stopped is taken over and the message sent again.</summary>
    public static readonly TimeSpan HandOffClaimTimeout = TimeSpan.FromMinutes(2);

    public async Task<LoanEventBatch> ReadEventsAsync(ReadEventsInput input, CancellationToken cancellationToken)
    {
        var policy = await policies.GetAsync(cancellationToken);
        var stored = await store.FindAsync(input.ApplicationId, cancellationToken)
            ?? throw new InvalidOperationException($"Application {input.ApplicationId} does not exist (yet): the orchestration retries.");
        var logged = await store.EffectsSinceAsync(input.ApplicationId, input.After, cancellationToken);
        var application = stored.Application;

        // The state row and the events are read apart: only what the state row had when read counts as done.
        List<LoanEventEffects> events = [.. logged.Where(e => e.Sequence <= application.Version)];
        var caughtUp = events.Count == 0 ? input.After >= application.Version : events[^1].Sequence >= application.Version;
        var finished = caughtUp && application.State.IsTerminal()
            && (application.State != ApplicationState.Disbursed || application.FirstInspection is not null || application.FirstInspectionDue is null);
        if (events.Count > 0 && events[^1].Legacy)
        {
            // The latest event predates the orchestrations: its timers were never recorded as effects. Take over the
            // stage's outstanding timers from the state (their mails and hand-off, if any, went through the old outbox).
            events[^1] = events[^1] with { Effects = [.. application.OutstandingTimers(policy).Select(t => new LoanEffect(Timer: t))] };
        }

        return new LoanEventBatch(application.State, application.Awaiting(policy)?.Stage, finished, events, application.StageVersion, application.LastActionVersion);
    }

    public async Task<string> SendMailAsync(SendMailInput input, CancellationToken cancellationToken)
    {
        var n = input.Notify;
        var id = $"{input.ApplicationId}/event-{input.Sequence:D6}/{input.Index}";
        var message = new NotificationMessage(id, input.ApplicationId, n.Kind, n.UserId, n.Role, n.Branch, n.Subject, n.Text);
        await queues.GetQueueClient(StorageNames.Queues.Notifications).SendMessageAsync(JsonSerializer.Serialize(message, ApplicationStore.Json), cancellationToken);
        return id;
    }

    /// <summary>
    /// Claims the hand-off (row <see cref="HandOffRow"/> added: only one execution can), sends it, marks it sent.
    /// A repeat finds the claim and sends nothing; a claim left "sending" by a stopped process is taken over after
    /// <see cref="HandOffClaimTimeout"/> (the one case that can repeat the message: core banking keys on the id).
    /// </summary>
    public async Task<string> HandOffAsync(HandOffInput input, CancellationToken cancellationToken)
    {
        var table = tables.GetTableClient(StorageNames.Tables.Applications);
        var now = time.GetUtcNow();
        var claim = new TableEntity(input.ApplicationId, HandOffRow) { ["Status"] = "sending", ["ClaimedAt"] = now, ["Sequence"] = input.Sequence };
        try
        {
            await table.AddEntityAsync(claim, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await table.GetEntityAsync<TableEntity>(input.ApplicationId, HandOffRow, cancellationToken: cancellationToken)).Value;
            if (existing.GetString("Status") == "sent")
            {
                return $"Hand-off of {input.ApplicationId} was sent before.";
            }

            if (existing.GetDateTimeOffset("ClaimedAt") is { } claimedAt && now - claimedAt < HandOffClaimTimeout)
            {
                // Another execution is sending it now; if it stops before marking, this retry takes over later.
                throw new InvalidOperationException($"Hand-off of {input.ApplicationId} is being sent by another execution.");
            }

            claim.ETag = existing.ETag;
            await table.UpdateEntityAsync(claim, existing.ETag, TableUpdateMode.Replace, cancellationToken); // 412 if another took it over first
            LogTakeOver(logger, input.ApplicationId);
        }

        var stored = await store.FindAsync(input.ApplicationId, cancellationToken)
            ?? throw new InvalidOperationException($"Application {input.ApplicationId} does not exist.");
        var at = await store.EventAtAsync(input.ApplicationId, input.Sequence, cancellationToken) ?? now;
        var handOff = CoreBankingHandOff.From(stored.Application, at);
        await queues.GetQueueClient(StorageNames.Queues.CoreBankingHandOff).SendMessageAsync(
            JsonSerializer.Serialize(handOff, ApplicationStore.Json), TimeSpan.Zero, TimeSpan.FromSeconds(-1), cancellationToken);
        await table.UpdateEntityAsync(new TableEntity(input.ApplicationId, HandOffRow) { ["Status"] = "sent", ["SentAt"] = time.GetUtcNow() }, ETag.All, TableUpdateMode.Merge, cancellationToken);
        return $"Hand-off of {input.ApplicationId} sent.";
    }

    [LoggerMessage(LogLevel.Warning, "Hand-off of {Id}: an earlier execution stopped while sending; sending again")]
    private static partial void LogTakeOver(ILogger logger, string id);
}
