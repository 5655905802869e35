using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// The Functions host's trigger side, for the embedded default: runs a listener per timer and queue function of the
/// catalog (the [Function] wrappers' triggers, which functions.metadata gives the host), each invoking the function's
/// handler directly. Starts once the app has started.
/// </summary>
public sealed partial class LocalRunnerService(
    FunctionCatalog catalog,
    HostJson hostJson,
    IConfiguration configuration,
    IOptions<LocalRunnerOptions> options,
    BlobServiceClient blobs,
    [FromKeyedServices(StorageExtensions.RawQueues)] QueueServiceClient rawQueues,
    FunctionInvoker invoker,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<LocalRunnerService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!LocalRunnerExtensions.IsEnabled(configuration))
        {
            return;
        }

        var listeners = CreateListeners();
        if (listeners.Count == 0)
        {
            return;
        }

        if (!await WaitForStartedAsync(stoppingToken))
        {
            return;
        }

        await Task.WhenAll(listeners.Select(listener => RunGuardedAsync(listener.Name, listener.Run, stoppingToken)));
    }

    private List<(string Name, Func<CancellationToken, Task> Run)> CreateListeners()
    {
        var runnerOptions = options.Value;
        var listeners = new List<(string, Func<CancellationToken, Task>)>();
        QueueSettings? queueSettings = null;
        foreach (var function in catalog.Functions)
        {
            if (HostEnvironment.IsDisabled(function.Name, configuration))
            {
                LogDisabled(_logger, function.Name);
                continue;
            }

            var logger = loggers.CreateLogger($"Function.{function.Name}");
            switch (function.Binding)
            {
                case TimerBinding binding:
                    var expression = HostEnvironment.ResolveAppSettings(binding.Schedule, configuration);
                    var schedule = CronSchedule.Parse(expression);
                    var useMonitor = binding.UseMonitor ?? schedule.RecursAtLeastAMinuteApart(time.GetUtcNow().UtcDateTime);
                    var timer = new TimerTriggerListener(function.Name, schedule, binding.RunOnStartup, useMonitor,
                        runnerOptions, new ListenerLock(blobs), new ScheduleMonitor(blobs), invoker, time, logger);
                    listeners.Add((function.Name, timer.RunAsync));
                    LogTimer(_logger, function.Name, expression, useMonitor);
                    break;

                case QueueBinding binding:
                    var queueName = HostEnvironment.ResolveAppSettings(binding.QueueName, configuration).ToLowerInvariant();
                    queueSettings ??= QueueSettings.From(hostJson);
                    var queue = new QueueTriggerListener(function.Name, rawQueues.GetQueueClient(queueName), rawQueues.GetQueueClient($"{queueName}-poison"),
                        queueSettings, runnerOptions, invoker, time, logger);
                    listeners.Add((function.Name, queue.RunAsync));
                    LogQueue(_logger, function.Name, queueName);
                    break;

                case HttpBinding:
                    break; // Served by the app's own routes.

                case OrchestrationBinding or ActivityBinding:
                    break; // Run by the embedded Durable engine (Hosting/Durable).

                default:
                    LogUnsupported(_logger, function.Name, function.Binding.GetType().Name);
                    break;
            }
        }

        return listeners;
    }

    private async Task<bool> WaitForStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled());
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>A listener that fails (storage down, say) is logged and restarted after a pause, never silently dropped.</summary>
    private async Task RunGuardedAsync(string name, Func<CancellationToken, Task> run, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await run(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogListenerFailed(_logger, name, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Local runner: timer {Function} on '{Schedule}' (UTC), useMonitor {UseMonitor}")]
    private static partial void LogTimer(ILogger logger, string function, string schedule, bool useMonitor);

    [LoggerMessage(LogLevel.Information, "Local runner: queue {Function} on queue '{Queue}'")]
    private static partial void LogQueue(ILogger logger, string function, string queue);

    [LoggerMessage(LogLevel.Information, "Local runner: function {Function} is disabled by AzureWebJobs.{Function}.Disabled")]
    private static partial void LogDisabled(ILogger logger, string function);

    [LoggerMessage(LogLevel.Warning, "Local runner: function {Function} has a {Trigger}, which the local runner does not run")]
    private static partial void LogUnsupported(ILogger logger, string function, string trigger);

    [LoggerMessage(LogLevel.Error, "Local runner: listener {Function} failed; restarting it in 5 s")]
    private static partial void LogListenerFailed(ILogger logger, string function, Exception exception);
}
