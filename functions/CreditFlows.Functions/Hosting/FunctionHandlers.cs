using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The C# behind a timer function. The <c>[Function]</c> wrapper (Functions/Triggers.cs) calls it under the Functions
/// host; the local runner calls it in the embedded default. A new scope is made for each invocation. Throw to fail the
/// invocation: timers are not retried, the next occurrence runs as usual.
/// </summary>
public interface ITimerFunction
{
    Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken);
}

/// <summary>
/// The C# behind a queue function: the message text (decoded from base64) and how many times it has been dequeued.
/// Throw to fail the invocation: the message becomes visible again after <c>visibilityTimeout</c>, and after
/// <c>maxDequeueCount</c> attempts it goes to <c>{queue}-poison</c>, under the host and the local runner alike.
/// </summary>
public interface IQueueFunction
{
    Task<InvocationResult> RunAsync(string message, long dequeueCount, CancellationToken cancellationToken);
}

/// <summary>
/// A registered timer or queue function: its name and the handler type (an <see cref="ITimerFunction"/> or
/// <see cref="IQueueFunction"/>), resolved from the invocation's scope unless <see cref="Resolve"/> says otherwise (tests).
/// </summary>
public sealed record FunctionRegistration(string Name, Type Handler, Func<IServiceProvider, object>? Resolve = null);

/// <summary>
/// What one invocation reports: log lines (written to the invocation log, and answered by the run-now endpoints)
/// and a return value, for tests and the run-now answer.
/// </summary>
public sealed class InvocationResult
{
    public List<string> Logs { get; init; } = [];

    public object? ReturnValue { get; set; }

    public static InvocationResult Empty() => new();

    public InvocationResult Log(string line)
    {
        Logs.Add(line);
        return this;
    }
}

/// <summary>
/// A timer occurrence: the schedule monitor's record (<see cref="ScheduleStatus.Next"/> is the occurrence being run)
/// and whether it runs late because it was missed. The worker's <c>TimerInfo</c> and the local runner both map onto it.
/// </summary>
public sealed record TimerState(ScheduleStatus? ScheduleStatus, bool IsPastDue)
{
    public static TimerState From(Microsoft.Azure.Functions.Worker.TimerInfo timer) => new(
        timer.ScheduleStatus is { } s ? new ScheduleStatus(s.Last, s.Next, s.LastUpdated) : null,
        timer.IsPastDue);
}

/// <summary>
/// The schedule monitor's record: the last occurrence run, the next one expected, and when it was written.
/// Times are UTC. Stored as the Functions host stores it (<c>{Last, Next, LastUpdated}</c>).
/// </summary>
public sealed record ScheduleStatus(
    [property: JsonPropertyName("Last")] DateTime Last,
    [property: JsonPropertyName("Next")] DateTime Next,
    [property: JsonPropertyName("LastUpdated")] DateTime LastUpdated);

[JsonSerializable(typeof(ScheduleStatus))]
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true)]
internal sealed partial class HostJsonContext : JsonSerializerContext;

/// <summary>The message does not have the shape the function reads; the invocation fails (and is retried, then poisoned).</summary>
public sealed class InvalidInvocationException(string message) : Exception(message);

public static class QueueMessages
{
    /// <summary>A queue message holding JSON of <typeparamref name="T"/>; anything else is an <see cref="InvalidInvocationException"/>.</summary>
    public static T Read<T>(string message, JsonSerializerOptions options)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(message, options)
                ?? throw new InvalidInvocationException($"The message is null, not a {typeof(T).Name}.");
        }
        catch (JsonException ex)
        {
            throw new InvalidInvocationException($"The message is not a {typeof(T).Name}: {ex.Message}");
        }
    }
}
