using Microsoft.Azure.Functions.Worker;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// What a timer or queue <c>[Function]</c> wrapper does under the Functions host: resolves its handler from the
/// invocation's services, runs it with the invocation's cancellation token, and writes the lines it reports to the
/// invocation log. An exception propagates, so the host counts the invocation failed and retries as the trigger says.
/// </summary>
public static partial class FunctionTriggers
{
    public static Task RunTimerAsync<THandler>(this FunctionContext context, TimerInfo timer)
        where THandler : ITimerFunction =>
        RunAsync(context, typeof(THandler), handler => ((ITimerFunction)handler).RunAsync(TimerState.From(timer), context.CancellationToken));

    public static Task RunQueueAsync<THandler>(this FunctionContext context, string message, long dequeueCount)
        where THandler : IQueueFunction =>
        RunAsync(context, typeof(THandler), handler => ((IQueueFunction)handler).RunAsync(message, dequeueCount, context.CancellationToken));

    private static async Task RunAsync(FunctionContext context, Type handlerType, Func<object, Task<InvocationResult>> run)
    {
        var result = await run(context.InstanceServices.GetRequiredService(handlerType));
        if (context.InstanceServices.GetService<ILoggerFactory>() is { } loggers)
        {
            var logger = loggers.CreateLogger($"Function.{context.FunctionDefinition.Name}");
            foreach (var line in result.Logs)
            {
                LogLine(logger, line);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "{Line}")]
    private static partial void LogLine(ILogger logger, string line);
}
