using CreditFlows.Functions.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// Runs one of the app's timer or queue functions now, as the local runner does (its handler in a new scope, host.json's
/// functionTimeout applied): for tests that drive a job step by step instead of waiting for its schedule or queue.
/// </summary>
public static class FunctionRuns
{
    public static Task<InvocationOutcome> TryRunQueueAsync(this WebApplicationFactory<Program> app, string function, string message, long dequeueCount = 1) =>
        app.Services.GetRequiredService<FunctionInvoker>().RunQueueAsync(function, message, dequeueCount, CancellationToken.None);

    public static Task<InvocationOutcome> TryRunTimerAsync(this WebApplicationFactory<Program> app, string function, TimerState? timer = null) =>
        app.Services.GetRequiredService<FunctionInvoker>().RunTimerAsync(function, timer ?? new TimerState(null, IsPastDue: false), CancellationToken.None);

    /// <summary>Runs a queue function and asserts it succeeded; answers what it reported.</summary>
    public static async Task<InvocationResult> RunQueueAsync(this WebApplicationFactory<Program> app, string function, string message, long dequeueCount = 1) =>
        Succeeded(function, await app.TryRunQueueAsync(function, message, dequeueCount));

    /// <summary>Runs a timer function for an occurrence that is not past due and asserts it succeeded; answers what it reported.</summary>
    public static async Task<InvocationResult> RunTimerAsync(this WebApplicationFactory<Program> app, string function, TimerState? timer = null) =>
        Succeeded(function, await app.TryRunTimerAsync(function, timer));

    public static string Text(this InvocationResult result) => string.Join("\n", result.Logs);

    private static InvocationResult Succeeded(string function, InvocationOutcome outcome)
    {
        Assert.True(outcome.Succeeded, $"{function} failed: {outcome.Error}");
        return outcome.Result!;
    }
}
