namespace CreditFlows.Functions.Hosting;

/// <summary>The outcome of one invocation as the host would judge it: the handler returned, or it threw or ran out of time.</summary>
public sealed record InvocationOutcome(string InvocationId, bool Succeeded, InvocationResult? Result, string? Error);

/// <summary>
/// Runs a timer or queue function by name, calling its handler in a new scope: the embedded local runner's invocations
/// and the run-now endpoints (<c>/admin/functions/{name}</c>, <c>/api/admin/functions/{name}</c>). As under the host, an
/// invocation running past host.json's <c>functionTimeout</c> is abandoned and counts as failed (the handler sees its
/// cancellation token fire), and an exception fails the invocation.
/// </summary>
public sealed partial class FunctionInvoker(
    IServiceScopeFactory scopes,
    IEnumerable<FunctionRegistration> registrations,
    HostJson hostJson,
    ILoggerFactory loggers)
{
    public bool IsRegistered(string name) => Find(name) is not null;

    public Task<InvocationOutcome> RunTimerAsync(string name, TimerState timer, CancellationToken cancellationToken) =>
        RunAsync(name, (handler, ct) => As<ITimerFunction>(name, handler).RunAsync(timer, ct), cancellationToken);

    public Task<InvocationOutcome> RunQueueAsync(string name, string message, long dequeueCount, CancellationToken cancellationToken) =>
        RunAsync(name, (handler, ct) => As<IQueueFunction>(name, handler).RunAsync(message, dequeueCount, ct), cancellationToken);

    private async Task<InvocationOutcome> RunAsync(string name, Func<object, CancellationToken, Task<InvocationResult>> run, CancellationToken cancellationToken)
    {
        var registration = Find(name) ?? throw new InvalidOperationException($"No handler is registered for function '{name}'.");
        var invocationId = Guid.NewGuid().ToString();
        var logger = loggers.CreateLogger($"Function.{registration.Name}");
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["InvocationId"] = invocationId });
        await using var services = scopes.CreateAsyncScope();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = hostJson.FunctionTimeout;
        if (limit is { } value)
        {
            timeout.CancelAfter(value);
        }

        try
        {
            var handler = registration.Resolve?.Invoke(services.ServiceProvider) ?? services.ServiceProvider.GetRequiredService(registration.Handler);
            var result = await run(handler, timeout.Token).WaitAsync(timeout.Token);
            foreach (var line in result.Logs)
            {
                LogLine(logger, line);
            }

            return new InvocationOutcome(invocationId, true, result, null);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            var error = $"Timeout value of {limit} was exceeded by function: {registration.Name}";
            LogFailed(logger, registration.Name, invocationId, error, null);
            return new InvocationOutcome(invocationId, false, null, error);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, registration.Name, invocationId, ex.Message, ex);
            return new InvocationOutcome(invocationId, false, null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private FunctionRegistration? Find(string name) => registrations.LastOrDefault(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static T As<T>(string name, object handler) =>
        handler is T typed ? typed : throw new InvalidOperationException($"Function '{name}': its handler {handler.GetType().Name} is not an {typeof(T).Name}.");

    [LoggerMessage(LogLevel.Information, "{Line}")]
    private static partial void LogLine(ILogger logger, string line);

    [LoggerMessage(LogLevel.Warning, "Function {Function} failed (invocation {InvocationId}): {Error}")]
    private static partial void LogFailed(ILogger logger, string function, string invocationId, string error, Exception? exception);
}
