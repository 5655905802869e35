using System.Collections.Concurrent;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>One invocation a <see cref="RecordingFunction"/> got: a timer occurrence, or a queue message and its dequeue count.</summary>
public sealed record RecordedCall(string Tag, TimerState? Timer, string? Message, long DequeueCount, DateTimeOffset At);

/// <summary>A test function that records every invocation it gets and fails the first <c>failures</c> of them (or all, with -1).</summary>
public sealed class RecordingFunction(string tag = "", int failures = 0) : ITimerFunction, IQueueFunction
{
    private int _calls;

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    public Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken) =>
        Record(new RecordedCall(tag, timer, null, 0, DateTimeOffset.UtcNow));

    public Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken) =>
        Record(new RecordedCall(tag, null, message, dequeueCount, DateTimeOffset.UtcNow));

    private Task<InvocationResult> Record(RecordedCall call)
    {
        Calls.Enqueue(call);
        var number = Interlocked.Increment(ref _calls);
        if (failures < 0 || number <= failures)
        {
            throw new InvalidOperationException($"Failing on purpose (call {number}).");
        }

        return Task.FromResult(InvocationResult.Empty().Log($"call {number}"));
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the timeout passes; answers whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }
}
