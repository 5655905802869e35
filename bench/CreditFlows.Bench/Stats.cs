using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace CreditFlows.Bench;

/// <summary>Latency samples in milliseconds; percentiles by nearest rank.</summary>
public sealed class Latencies
{
    private readonly List<double> _samples = [];
    private readonly Lock _lock = new();

    public void Add(double milliseconds)
    {
        lock (_lock)
        {
            _samples.Add(milliseconds);
        }
    }

    public Summary Summarise()
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        return new Summary(sorted.Length, At(sorted, 50), At(sorted, 95), At(sorted, 99), sorted.Length == 0 ? 0 : sorted[^1],
            sorted.Length == 0 ? 0 : sorted.Average());
    }

    private static double At(double[] sorted, double percentile) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

public sealed record Summary(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static string Ms(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
}

/// <summary>
/// Counts every HTTP request this process makes or serves (System.Net.Http's and ASP.NET Core's built-in
/// request-duration metrics), by where it went: the app (Kestrel) or Azurite's table, queue or blob port.
/// This is how the report says what one workflow command costs in storage round trips.
/// </summary>
public sealed class RequestMeter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, Latencies> _client = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _ports;
    private Latencies _server = new();

    public RequestMeter(IReadOnlyDictionary<int, string> ports)
    {
        _ports = new Dictionary<int, string>(ports);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if ((instrument.Meter.Name == "System.Net.Http" && instrument.Name == "http.client.request.duration")
                || (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration"))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    public void AddPort(int port, string name)
    {
        lock (_ports)
        {
            _ports[port] = name;
        }
    }

    /// <summary>Forgets what was counted so far (between phases).</summary>
    public void Reset()
    {
        _client.Clear();
        Volatile.Write(ref _server, new Latencies());
    }

    /// <summary>Requests the app served, as Kestrel timed them.</summary>
    public Summary Server => Volatile.Read(ref _server).Summarise();

    public IReadOnlyDictionary<string, Summary> Client() =>
        _client.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Value.Summarise());

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting")
        {
            Volatile.Read(ref _server).Add(seconds * 1000);
            return;
        }

        string method = "?";
        var port = 0;
        foreach (var tag in tags)
        {
            if (tag.Key == "http.request.method")
            {
                method = tag.Value as string ?? "?";
            }
            else if (tag.Key == "server.port" && tag.Value is int p)
            {
                port = p;
            }
        }

        string target;
        lock (_ports)
        {
            target = _ports.TryGetValue(port, out var name) ? name : $"port {port}";
        }

        _client.GetOrAdd($"{target} {method}", _ => new Latencies()).Add(seconds * 1000);
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>
/// CPU time used by this process (the app and the load generator share it) and, on Linux when bench.sh passes
/// its pid in CREDITFLOWS_BENCH_AZURITE_PID, by Azurite (one Node.js process for blob, queue and table).
/// </summary>
public sealed class CpuMeter
{
    private readonly int? _azuritePid = int.TryParse(Environment.GetEnvironmentVariable("CREDITFLOWS_BENCH_AZURITE_PID"), out var pid) ? pid : null;
    private TimeSpan _self;
    private TimeSpan? _azurite;

    public void Start()
    {
        _self = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _azurite = AzuriteCpu();
    }

    /// <summary>CPU seconds since <see cref="Start"/>: this process, and Azurite when known.</summary>
    public (double Self, double? Azurite) Stop()
    {
        var self = (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _self).TotalSeconds;
        var azurite = AzuriteCpu() is { } now && _azurite is { } then ? (now - then).TotalSeconds : (double?)null;
        return (self, azurite);
    }

    private TimeSpan? AzuriteCpu()
    {
        try
        {
            // /proc/<pid>/stat: fields 14 and 15 (utime, stime) in clock ticks, counted after the ')' that ends the name.
            var stat = _azuritePid is { } pid ? File.ReadAllText($"/proc/{pid}/stat") : null;
            if (stat is null)
            {
                return null;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
