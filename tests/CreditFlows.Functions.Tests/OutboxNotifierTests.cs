using System.Collections.Concurrent;
using Azure.Storage.Queues;
using CreditFlows.Functions.Features.Outbox;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The group commit of outbox notifications, against an outbox that records what it would queue (the queue
/// itself is exercised by the workflow tests with the runner on).
/// </summary>
public sealed class OutboxNotifierTests
{
    private sealed class SlowOutbox(int failFirst) : TransactionalOutbox(new QueueServiceClient("UseDevelopmentStorage=true"), TimeProvider.System)
    {
        private int _sends;

        public ConcurrentQueue<IReadOnlyList<OutboxPointer>> Messages { get; } = new();

        public override async Task NotifyAsync(IReadOnlyList<OutboxPointer> pointers, CancellationToken cancellationToken)
        {
            await Task.Delay(20, cancellationToken);
            if (Interlocked.Increment(ref _sends) <= failFirst)
            {
                throw new HttpRequestException("queue unavailable");
            }

            Messages.Enqueue(pointers);
        }
    }

    private static OutboxPointer Pointer(int n) => new("Applications", $"LA-{n:D6}", $"outbox-{n:D6}");

    [Fact]
    public async Task Pointers_arriving_during_a_send_go_out_together_each_exactly_once()
    {
        var outbox = new SlowOutbox(failFirst: 0);
        var notifier = new OutboxNotifier(outbox);

        await Task.WhenAll(Enumerable.Range(0, 200).Select(n => Task.Run(() => notifier.NotifyAsync(Pointer(n), CancellationToken.None))));

        var sent = outbox.Messages.SelectMany(m => m).Select(p => p.PartitionKey).Order().ToList();
        Assert.Equal(Enumerable.Range(0, 200).Select(n => $"LA-{n:D6}"), sent);
        Assert.InRange(outbox.Messages.Count, 1, 100);
    }

    [Fact]
    public async Task A_failed_send_fails_its_own_callers_only()
    {
        var outbox = new SlowOutbox(failFirst: 1);
        var notifier = new OutboxNotifier(outbox);

        var first = notifier.NotifyAsync(Pointer(1), CancellationToken.None);
        await Assert.ThrowsAsync<HttpRequestException>(() => first);
        await notifier.NotifyAsync(Pointer(2), CancellationToken.None);

        Assert.Equal("LA-000002", Assert.Single(Assert.Single(outbox.Messages)).PartitionKey);
    }

    [Fact]
    public async Task A_backlog_too_big_for_one_queue_message_is_split_into_messages_that_fit()
    {
        var outbox = new SlowOutbox(failFirst: 0);
        var notifier = new OutboxNotifier(outbox);
        var many = Enumerable.Range(0, 2000).Select(Pointer).ToList();
        Assert.True(OutboxBatch.Message(many).Length > OutboxBatch.MaxMessageChars); // One message could not hold them.

        await Task.WhenAll(many.Select(p => notifier.NotifyAsync(p, CancellationToken.None)));

        Assert.All(outbox.Messages, m => Assert.InRange(OutboxBatch.Message(m).Length, 1, OutboxBatch.MaxMessageChars));
        Assert.Equal(2000, outbox.Messages.Sum(m => m.Count));
        Assert.Equal(2000, outbox.Messages.SelectMany(m => m).Select(p => p.RowKey).Distinct().Count());
    }
}
