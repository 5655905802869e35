using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Workflow;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreditFlows.Bench;

/// <summary>What the bench reads of an application's orchestration: its runtime status and how far it has applied the log.</summary>
public sealed record OrchestrationSeen(string RuntimeStatus, int Applied);

/// <summary>Reads an orchestration's status as <c>GET /api/applications/{id}</c> does: through the app's own Durable client.</summary>
public sealed class OrchestrationProbe(BenchApp app)
{
    private readonly DurableTaskClient _client = app.Services.GetRequiredService<DurableTaskClient>();

    private long _reads;

    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>The instance's runtime status and <c>applied</c> (0 before its first step); null when it does not exist (yet).</summary>
    public async Task<OrchestrationSeen?> ReadAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _reads);
        var instance = await _client.GetInstanceAsync(LoanWorkflow.InstanceId(applicationId), getInputsAndOutputs: true, cancellationToken);
        if (instance is null)
        {
            return null;
        }

        var status = instance.SerializedCustomStatus is { Length: > 0 } json ? JsonSerializer.Deserialize<LoanWorkflowStatus>(json, ApplicationStore.Json) : null;
        return new OrchestrationSeen(instance.RuntimeStatus.ToString(), status?.Applied ?? 0);
    }

    /// <summary>
    /// Polls every application until its orchestration has applied at least <paramref name="version"/> or
    /// <paramref name="timeout"/> passes; answers when the last one got there and the ones that did not.
    /// </summary>
    public async Task<(TimeSpan Took, IReadOnlyList<string> Behind)> WaitAllAppliedAsync(IReadOnlyCollection<string> applicationIds, int version, TimeSpan timeout, TimeSpan interval)
    {
        var started = Stopwatch.GetTimestamp();
        var pending = new HashSet<string>(applicationIds, StringComparer.Ordinal);
        var last = TimeSpan.Zero;
        while (pending.Count > 0 && Stopwatch.GetElapsedTime(started) < timeout)
        {
            var done = new ConcurrentBag<string>();
            await Parallel.ForEachAsync(pending, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            {
                if ((await ReadAsync(id, ct))?.Applied >= version)
                {
                    done.Add(id);
                }
            });
            if (!done.IsEmpty)
            {
                last = Stopwatch.GetElapsedTime(started);
                pending.ExceptWith(done);
            }

            if (pending.Count > 0)
            {
                await Task.Delay(interval);
            }
        }

        return (last, [.. pending]);
    }
}

/// <summary>
/// A logger provider that hears the embedded engine's <c>AppendedInstanceHistory</c> log (DurableTask.AzureStorage
/// writes it after it has stored an orchestration step: history rows and the instance's status row, custom status
/// included) and tells the <see cref="LagTracker"/> which instance moved. It only says when to look; what counts is
/// the status read that follows. No hook in the app: the engine logs this anyway, the bench only listens.
/// </summary>
public sealed class OrchestrationTap : ILoggerProvider
{
    public const string Category = "DurableTask.AzureStorage";

    private const string CommitEvent = "AppendedInstanceHistory";

    public Action<string>? Committed { get; set; }

    public long Heard => Interlocked.Read(ref _heard);

    private long _heard;

    public ILogger CreateLogger(string categoryName) => categoryName == Category ? new Listener(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Listener(OrchestrationTap tap) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Name != CommitEvent || state is not IEnumerable<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            foreach (var (key, value) in fields)
            {
                if (key == "InstanceId" && value is string instanceId)
                {
                    Interlocked.Increment(ref tap._heard);
                    tap.Committed?.Invoke(instanceId);
                    return;
                }
            }
        }
    }
}

/// <summary>
/// Orchestration lag: from a command's answer to the moment the bench sees the orchestration's <c>applied</c> reach
/// the version the command answered. After each answer the instance's status is read once (the step may be stored
/// already), then again whenever the <see cref="OrchestrationTap"/> hears a step of that instance stored; an
/// instance still behind after <see cref="PollAfter"/> is also polled every <see cref="PollInterval"/>, in case a log
/// was missed (how many lags each way ended is counted). The time taken is the read's end, so a lag is an upper
/// bound, late by at most one status read.
/// </summary>
public sealed class LagTracker : IAsyncDisposable
{
    private readonly OrchestrationProbe _probe;
    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly Channel<(Instance Instance, string Reason)> _wakes = Channel.CreateUnbounded<(Instance, string)>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly ConcurrentDictionary<string, long> _endedBy = new(StringComparer.Ordinal);
    private long _readErrors;

    public LagTracker(OrchestrationProbe probe, OrchestrationTap tap, int readers = 4)
    {
        _probe = probe;
        tap.Committed = instanceId => Wake(instanceId, "tap");
        _workers = [.. Enumerable.Range(0, readers).Select(_ => Task.Run(ReadLoopAsync)), Task.Run(PollLoopAsync)];
    }

    /// <summary>How long after its answer a version still not seen applied is polled for, and how often.</summary>
    public static readonly TimeSpan PollAfter = TimeSpan.FromSeconds(1), PollInterval = TimeSpan.FromMilliseconds(250);

    public Latencies Lags { get; } = new();

    /// <summary>How many lags ended on a read prompted by the answer itself, by the tap, or by the fallback poll.</summary>
    public IReadOnlyDictionary<string, long> EndedBy => _endedBy;

    public long ReadErrors => Interlocked.Read(ref _readErrors);

    /// <summary>Commands answered whose application the orchestration has not been seen to apply yet.</summary>
    public int Outstanding => _instances.Values.Sum(i => i.PendingCount);

    /// <summary>A command on <paramref name="applicationId"/> was answered with <paramref name="version"/>: start its clock.</summary>
    public void Answered(string applicationId, int version)
    {
        var instance = _instances.GetOrAdd(LoanWorkflow.InstanceId(applicationId), _ => new Instance(applicationId));
        instance.Add(version, Stopwatch.GetTimestamp());
        Enqueue(instance, "answer");
    }

    /// <summary>Waits until no lag is outstanding, or the timeout; answers how many still are.</summary>
    public async Task<int> DrainAsync(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        while (Outstanding > 0 && Stopwatch.GetElapsedTime(started) < timeout)
        {
            await Task.Delay(50);
        }

        return Outstanding;
    }

    private void Wake(string instanceId, string reason)
    {
        if (_instances.TryGetValue(instanceId, out var instance) && instance.PendingCount > 0)
        {
            Enqueue(instance, reason);
        }
    }

    private void Enqueue(Instance instance, string reason)
    {
        if (instance.TrySchedule())
        {
            _wakes.Writer.TryWrite((instance, reason));
        }
    }

    private async Task ReadLoopAsync()
    {
        await foreach (var (instance, reason) in _wakes.Reader.ReadAllAsync(_stop.Token))
        {
            instance.Started(); // a wake from now on reads again: this read may be too early for it
            try
            {
                var seen = await _probe.ReadAsync(instance.ApplicationId, _stop.Token);
                var now = Stopwatch.GetTimestamp();
                foreach (var answeredAt in instance.Resolve(seen?.Applied ?? 0))
                {
                    Lags.Add(Stopwatch.GetElapsedTime(answeredAt, now).TotalMilliseconds);
                    _endedBy.AddOrUpdate(reason, 1, (_, n) => n + 1);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Interlocked.Increment(ref _readErrors);
            }
        }
    }

    private async Task PollLoopAsync()
    {
        using var timer = new PeriodicTimer(PollInterval);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            var due = Stopwatch.GetTimestamp() - (long)(PollAfter.TotalSeconds * Stopwatch.Frequency);
            foreach (var instance in _instances.Values.Where(i => i.OldestAnswer is { } oldest && oldest < due))
            {
                Enqueue(instance, "poll");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _wakes.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    /// <summary>One orchestration's answered versions not yet seen applied, and whether a read of it is queued.</summary>
    private sealed class Instance(string applicationId)
    {
        private readonly Lock _lock = new();
        private readonly List<(int Version, long AnsweredAt)> _pending = [];
        private int _scheduled;

        public string ApplicationId { get; } = applicationId;

        public int PendingCount
        {
            get
            {
                lock (_lock)
                {
                    return _pending.Count;
                }
            }
        }

        public long? OldestAnswer
        {
            get
            {
                lock (_lock)
                {
                    return _pending.Count == 0 ? null : _pending.Min(p => p.AnsweredAt);
                }
            }
        }

        public void Add(int version, long answeredAt)
        {
            lock (_lock)
            {
                _pending.Add((version, answeredAt));
            }
        }

        public bool TrySchedule() => Interlocked.Exchange(ref _scheduled, 1) == 0;

        public void Started() => Volatile.Write(ref _scheduled, 0);

        /// <summary>Removes and answers the answer times of every version at or below <paramref name="applied"/>.</summary>
        public List<long> Resolve(int applied)
        {
            lock (_lock)
            {
                var done = _pending.Where(p => p.Version <= applied).Select(p => p.AnsweredAt).ToList();
                _pending.RemoveAll(p => p.Version <= applied);
                return done;
            }
        }
    }
}
