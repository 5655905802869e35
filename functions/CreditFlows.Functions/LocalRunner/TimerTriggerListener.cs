using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// Runs one timer function's schedule with the Functions host's semantics: only the instance holding the
/// listener lease fires; <c>runOnStartup</c> fires once when the listener starts; with <c>useMonitor</c> the
/// status blob records each occurrence, and an occurrence missed while no instance ran fires once at start
/// with <c>IsPastDue: true</c>. A failed invocation is logged and not retried (timers do not retry).
/// </summary>
public sealed partial class TimerTriggerListener(
    string function,
    CronSchedule schedule,
    bool runOnStartup,
    bool useMonitor,
    LocalRunnerOptions options,
    ListenerLock listenerLock,
    ScheduleMonitor monitor,
    FunctionInvoker invoker,
    TimeProvider time,
    ILogger logger)
{
    public async Task RunAsync(CancellationToken stopping)
    {
        var retry = options.ListenerLockPeriod / 3;
        while (!stopping.IsCancellationRequested)
        {
            var lease = await listenerLock.TryAcquireAsync(options.HostId, function, options.ListenerLockPeriod, stopping);
            if (lease is null)
            {
                await Task.Delay(retry, time, stopping);
                continue;
            }

            LogLeaseAcquired(logger, function);
            using var holding = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var renewing = RenewAsync(lease, holding);
            try
            {
                await RunScheduleAsync(holding.Token);
            }
            catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
            {
                LogLeaseLost(logger, function);
            }
            finally
            {
                await holding.CancelAsync();
                await renewing;
                if (stopping.IsCancellationRequested)
                {
                    await ReleaseQuietlyAsync(lease);
                }
            }
        }
    }

    private async Task RunScheduleAsync(CancellationToken cancellationToken)
    {
        var now = Now;
        var status = useMonitor ? await monitor.GetStatusAsync(options.HostId, function, cancellationToken) : null;
        if (status is not null && status.Next < now)
        {
            LogPastDue(logger, function, status.Next);
            await FireAsync(status, isPastDue: true, cancellationToken);
            status = await RecordAsync(status.Next, cancellationToken);
        }
        else if (runOnStartup)
        {
            await FireAsync(status, isPastDue: false, cancellationToken);
        }

        if (status is null || status.Next < Now)
        {
            status = new ScheduleStatus(status?.Last ?? default, schedule.NextAfter(Now), Now);
            if (useMonitor)
            {
                await monitor.UpdateStatusAsync(options.HostId, function, status, cancellationToken);
            }
        }

        while (true)
        {
            var occurrence = status.Next;
            for (var wait = occurrence - Now; wait > TimeSpan.Zero; wait = occurrence - Now)
            {
                await Task.Delay(wait, time, cancellationToken);
            }

            await FireAsync(status, isPastDue: false, cancellationToken);
            status = await RecordAsync(occurrence, cancellationToken);
        }
    }

    private async Task<ScheduleStatus> RecordAsync(DateTime occurrence, CancellationToken cancellationToken)
    {
        var next = schedule.NextAfter(occurrence > Now ? occurrence : Now);
        var status = new ScheduleStatus(occurrence, next, Now);
        if (useMonitor)
        {
            await monitor.UpdateStatusAsync(options.HostId, function, status, cancellationToken);
        }

        return status;
    }

    private async Task FireAsync(ScheduleStatus? status, bool isPastDue, CancellationToken cancellationToken)
    {
        var outcome = await invoker.RunTimerAsync(function, new TimerState(status, isPastDue), cancellationToken);
        if (outcome.Succeeded)
        {
            LogFired(logger, function, outcome.InvocationId, isPastDue);
        }
        else
        {
            LogFailed(logger, function, outcome.InvocationId, outcome.Error);
        }
    }

    private async Task RenewAsync(Azure.Storage.Blobs.Specialized.BlobLeaseClient lease, CancellationTokenSource holding)
    {
        try
        {
            while (!holding.IsCancellationRequested)
            {
                await Task.Delay(options.ListenerLockPeriod / 3, time, holding.Token);
                await lease.RenewAsync(cancellationToken: holding.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping, or the schedule loop ended.
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException)
        {
            LogRenewFailed(logger, function, ex);
            await holding.CancelAsync();
        }
    }

    /// <summary>How long a stopping listener tries to hand its lease back before leaving it to lapse.</summary>
    internal static readonly TimeSpan ReleaseTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Hands the lease back so another instance can take the schedule at once; bounded in time, because storage may be
    /// gone already (Ctrl+C stops Azurite and the app together) and the SDK's retries would hold up shutdown for ~25 s.
    /// </summary>
    private static async Task ReleaseQuietlyAsync(Azure.Storage.Blobs.Specialized.BlobLeaseClient lease)
    {
        using var timeout = new CancellationTokenSource(ReleaseTimeout);
        try
        {
            await lease.ReleaseAsync(cancellationToken: timeout.Token);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or HttpRequestException or AggregateException or OperationCanceledException)
        {
            // The lease lapses by itself within the lock period.
        }
    }

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    [LoggerMessage(LogLevel.Information, "Timer {Function}: this instance holds the listener lease and runs the schedule")]
    private static partial void LogLeaseAcquired(ILogger logger, string function);

    [LoggerMessage(LogLevel.Warning, "Timer {Function}: listener lease lost; another instance may run the schedule")]
    private static partial void LogLeaseLost(ILogger logger, string function);

    [LoggerMessage(LogLevel.Warning, "Timer {Function}: the occurrence due at {Due:O} was missed; running it now as past due")]
    private static partial void LogPastDue(ILogger logger, string function, DateTime due);

    [LoggerMessage(LogLevel.Information, "Timer {Function} ran (invocation {InvocationId}, past due {IsPastDue})")]
    private static partial void LogFired(ILogger logger, string function, string invocationId, bool isPastDue);

    [LoggerMessage(LogLevel.Error, "Timer {Function} failed (invocation {InvocationId}): {Error}")]
    private static partial void LogFailed(ILogger logger, string function, string invocationId, string? error);

    [LoggerMessage(LogLevel.Warning, "Timer {Function}: listener lease renewal failed")]
    private static partial void LogRenewFailed(ILogger logger, string function, Exception exception);
}
