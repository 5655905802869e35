using Azure;
using Microsoft.Extensions.Caching.Memory;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>Settings of section <c>Workflow:StateCache</c>.</summary>
public sealed class StateCacheOptions
{
    public const string Section = "Workflow:StateCache";

    /// <summary>How many applications' state rows a process keeps; 0 turns the cache off.</summary>
    public int Entries { get; set; } = 10_000;

    /// <summary>An entry not used for this long is dropped.</summary>
    public TimeSpan IdleFor { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// The state rows this process wrote or read last, as stored (the application document and its ETag), so a
/// command need not read the row before writing it. An entry is only ever a guess: the transaction replaces the
/// row on the cached ETag, so if another process changed it meanwhile the write fails with 412, the entry is
/// dropped, and the command runs again on a fresh read (<see cref="WorkflowService"/>). Reads for answers
/// (GET) never use it.
/// </summary>
public sealed class ApplicationStateCache : IDisposable
{
    private readonly MemoryCache? _entries;
    private readonly TimeSpan _idle;

    public ApplicationStateCache(StateCacheOptions options)
    {
        _idle = options.IdleFor;
        _entries = options.Entries > 0 ? new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Entries }) : null;
    }

    public bool TryGet(string id, out string document, out ETag etag)
    {
        if (_entries is not null && _entries.TryGetValue(id, out Entry? entry) && entry is not null)
        {
            (document, etag) = (entry.Document, entry.ETag);
            return true;
        }

        (document, etag) = (string.Empty, default);
        return false;
    }

    public void Put(string id, string document, ETag? etag)
    {
        if (_entries is null)
        {
            return;
        }

        if (etag is not { } known)
        {
            _entries.Remove(id);
            return;
        }

        _entries.Set(id, new Entry(document, known), new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = _idle });
    }

    public void Forget(string id) => _entries?.Remove(id);

    public void Dispose() => _entries?.Dispose();

    private sealed record Entry(string Document, ETag ETag);
}
