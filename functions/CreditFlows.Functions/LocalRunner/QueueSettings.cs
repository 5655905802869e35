using System.Globalization;
using CreditFlows.Functions.Hosting;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// host.json <c>extensions.queues</c>, with the Functions host's defaults for what is not set.
/// </summary>
public sealed record QueueSettings(
    TimeSpan MaxPollingInterval,
    TimeSpan VisibilityTimeout,
    int BatchSize,
    int MaxDequeueCount,
    bool Base64)
{
    public static QueueSettings From(HostJson app)
    {
        var encoding = app.GetSetting("extensions:queues:messageEncoding") ?? "base64";
        if (encoding is not ("base64" or "none"))
        {
            throw new InvalidOperationException($"host.json extensions.queues.messageEncoding is '{encoding}'; expected 'base64' or 'none'.");
        }

        var settings = new QueueSettings(
            Duration(app, "maxPollingInterval", TimeSpan.FromMinutes(1)),
            Duration(app, "visibilityTimeout", TimeSpan.Zero),
            Number(app, "batchSize", 16),
            Number(app, "maxDequeueCount", 5),
            encoding == "base64");
        if (settings.BatchSize is < 1 or > 32)
        {
            throw new InvalidOperationException("host.json extensions.queues.batchSize must be between 1 and 32.");
        }

        if (settings.MaxDequeueCount < 1 || settings.MaxPollingInterval < TimeSpan.FromMilliseconds(100))
        {
            throw new InvalidOperationException("host.json extensions.queues: maxDequeueCount must be at least 1 and maxPollingInterval at least 100 ms.");
        }

        return settings;
    }

    private static TimeSpan Duration(HostJson app, string key, TimeSpan fallback)
    {
        var text = app.GetSetting($"extensions:queues:{key}");
        if (text is null)
        {
            return fallback;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{key} is '{text}'; expected hh:mm:ss.");
    }

    private static int Number(HostJson app, string key, int fallback)
    {
        var text = app.GetSetting($"extensions:queues:{key}");
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"host.json extensions.queues.{key} is '{text}'; expected a whole number.");
    }
}
