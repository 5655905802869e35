using System.Collections.Concurrent;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>A test function that records every invocation it gets and fails the first <c>failures</c> of them (or all, with -1).</summary>
public sealed class RecordingFunction(string tag = "", int failures = 0) : IFunctionHandler
{
    private int _calls;

    public ConcurrentQueue<(string Tag, InvocationRequest Request, DateTimeOffset At)> Calls { get; } = new();

    public Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        Calls.Enqueue((tag, request, DateTimeOffset.UtcNow));
        var call = Interlocked.Increment(ref _calls);
        if (failures < 0 || call <= failures)
        {
            throw new InvalidOperationException($"Failing on purpose (call {call}).");
        }

        return Task.FromResult(InvocationResult.Empty().Log($"call {call}"));
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
