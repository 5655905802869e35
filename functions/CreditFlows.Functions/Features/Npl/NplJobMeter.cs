using System.Collections.Concurrent;
using System.Diagnostics;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// What the daily job spent and wrote in this process since the last <see cref="Reset"/>: time per phase (summed
/// over concurrent shards, so phases of parallel shards can add up to more than the wall time) and entities or
/// blobs written per kind. The benchmark prints it to show where a day's time goes; it costs a dictionary update
/// per phase, not per loan.
/// </summary>
public sealed class NplJobMeter
{
    private readonly ConcurrentDictionary<string, long> _ticks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    /// <summary>Times a phase until the returned scope is disposed.</summary>
    public Phase Time(string phase) => new(this, phase, Stopwatch.GetTimestamp());

    public void Count(string what, long n)
    {
        if (n != 0)
        {
            _counts.AddOrUpdate(what, n, (_, old) => old + n);
        }
    }

    public IReadOnlyDictionary<string, TimeSpan> Phases() =>
        _ticks.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => Stopwatch.GetElapsedTime(0, p.Value));

    public IReadOnlyDictionary<string, long> Counts() => _counts.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value);

    public void Reset()
    {
        _ticks.Clear();
        _counts.Clear();
    }

    public readonly struct Phase(NplJobMeter meter, string name, long started) : IDisposable
    {
        public void Dispose()
        {
            var elapsed = Stopwatch.GetTimestamp() - started;
            meter._ticks.AddOrUpdate(name, elapsed, (_, old) => old + elapsed);
        }
    }
}

/// <summary>A read-only stream that adds the time spent in its reads (the download, when it wraps a blob stream) to a phase.</summary>
internal sealed class MeteredReadStream(Stream inner, NplJobMeter meter, string phase) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        using (meter.Time(phase))
        {
            return inner.Read(buffer, offset, count);
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
