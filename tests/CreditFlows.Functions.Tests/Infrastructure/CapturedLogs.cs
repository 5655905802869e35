using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>Keeps the app's log messages (formatted) so a test can wait for one: <c>App.WithServices(s => s.AddSingleton&lt;ILoggerProvider&gt;(logs))</c>.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    /// <summary>The first message that contains every one of <paramref name="parts"/>, waiting up to <paramref name="timeout"/> for it.</summary>
    public async Task<string> WaitForAsync(TimeSpan timeout, params string[] parts)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_messages.FirstOrDefault(m => parts.All(p => m.Contains(p, StringComparison.Ordinal))) is { } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No log message with {string.Join(" and ", parts)} within {timeout.TotalSeconds} s.");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs._messages.Enqueue(formatter(state, exception));
    }
}
