using System.Text.Json;
using Azure.Storage.Queues;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Features.Outbox;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Queue messages become visible at most seven days after they are sent, so a timer further away is sent for
/// seven days and re-sent by <c>WorkflowTimer</c> when it surfaces early. Messages never expire on their own.
/// </summary>
public static class DurableTimers
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1);

    public static TimeSpan DelayUntil(DateTimeOffset dueAt, DateTimeOffset now)
    {
        var delay = dueAt - now;
        return delay <= TimeSpan.Zero ? TimeSpan.Zero : delay > MaxDelay ? MaxDelay : delay;
    }

    public static async Task SendAsync(QueueServiceClient queues, TimerMessage timer, DateTimeOffset now, CancellationToken cancellationToken) =>
        await queues.GetQueueClient(StorageNames.Queues.WorkflowTimers).SendMessageAsync(
            JsonSerializer.Serialize(timer, ApplicationStore.Json), DelayUntil(timer.DueAt, now), TimeSpan.FromSeconds(-1), cancellationToken);
}

/// <summary>Outbox kind <c>workflow.timer</c>: puts the timer on its queue, invisible until due.</summary>
public sealed class TimerOutboxHandler(QueueServiceClient queues, BusinessClock clock) : IOutboxHandler
{
    public string Kind => WorkflowEffects.Timer;

    public Task HandleAsync(OutboxEntry entry, CancellationToken cancellationToken) =>
        DurableTimers.SendAsync(queues, JsonSerializer.Deserialize<TimerMessage>(entry.Payload, ApplicationStore.Json)!, clock.Now, cancellationToken);
}

/// <summary>Outbox kind <c>workflow.notify</c>: queues the email for <c>SendNotification</c>, identified by its outbox row.</summary>
public sealed class NotifyOutboxHandler(QueueServiceClient queues) : IOutboxHandler
{
    public string Kind => WorkflowEffects.Notify;

    public async Task HandleAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var message = JsonSerializer.Deserialize<NotificationMessage>(entry.Payload, ApplicationStore.Json)! with
        {
            NotificationId = $"{entry.PartitionKey}/{entry.RowKey}",
        };
        await queues.GetQueueClient(StorageNames.Queues.Notifications).SendMessageAsync(JsonSerializer.Serialize(message, ApplicationStore.Json), cancellationToken);
    }
}

/// <summary>Outbox kind <c>workflow.handoff</c>: the disbursement hand-off to core banking's queue.</summary>
public sealed class HandOffOutboxHandler(QueueServiceClient queues) : IOutboxHandler
{
    public string Kind => WorkflowEffects.HandOff;

    public async Task HandleAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var handOff = JsonSerializer.Deserialize<CoreBankingHandOff>(entry.Payload, ApplicationStore.Json)!;
        await queues.GetQueueClient(StorageNames.Queues.CoreBankingHandOff).SendMessageAsync(
            JsonSerializer.Serialize(handOff, ApplicationStore.Json), TimeSpan.Zero, TimeSpan.FromSeconds(-1), cancellationToken);
    }
}
