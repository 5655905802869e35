using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Hosting;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>
/// Timer function <c>CreditFileSweep</c> (daily, 03:30 China time): deletes the credit-file blobs the index does not
/// name. An upload writes its blob and then, milliseconds later, its index rows; a process that dies in between leaves
/// a blob no one can list or download. Such a blob is deleted once it is <see cref="DocumentsOptions.OrphanGrace"/> old.
/// A blob whose index row is marked deleted (a DELETE that stopped between its two steps) is deleted at once. Only blobs
/// stored in the last <see cref="DocumentsOptions.SweepLookback"/> are looked at, each application's index read once.
/// Age is the blob's <c>uploadedat</c> metadata, or its creation time when that is missing or later. An upload session's
/// file, uploaded but never completed, has no index row either, so it goes the same way.
/// </summary>
public sealed partial class CreditFileSweepFunction(
    DocumentBlobs blobs,
    DocumentStore store,
    BusinessClock clock,
    IOptions<DocumentsOptions> options,
    ILogger<CreditFileSweepFunction> logger) : ITimerFunction
{
    public const string Name = "CreditFileSweep";

    public async Task<InvocationResult> RunAsync(TimerState timer, CancellationToken cancellationToken)
    {
        var now = clock.Now;
        var settings = options.Value;
        var since = now - settings.SweepLookback;
        var candidates = new Dictionary<string, List<(string Name, string DocumentId, DateTimeOffset StoredAt, ETag ETag)>>(StringComparer.Ordinal);
        var looked = 0;
        if (await blobs.Container.ExistsAsync(cancellationToken))
        {
            await foreach (var item in blobs.Container.GetBlobsAsync(BlobTraits.Metadata, BlobStates.None, prefix: null, cancellationToken))
            {
                looked++;
                var storedAt = StoredAt(item);
                // {branch}/{application}/{type}/{document-id}: anything else is not the app's, and is left alone.
                if (storedAt < since || item.Name.Split('/') is not [_, var application, _, var documentId])
                {
                    continue;
                }

                if (!candidates.TryGetValue(application, out var list))
                {
                    candidates[application] = list = [];
                }

                list.Add((item.Name, documentId, storedAt, item.Properties.ETag ?? ETag.All));
            }
        }

        var deleted = 0;
        var refused = 0;
        foreach (var (application, items) in candidates)
        {
            var indexed = await store.IndexedAsync(application, cancellationToken);
            foreach (var (name, documentId, storedAt, etag) in items)
            {
                var orphan = !indexed.TryGetValue(documentId, out var wasDeleted);
                if ((orphan && now - storedAt >= settings.OrphanGrace) || wasDeleted)
                {
                    try
                    {
                        // On the ETag listed: a blob is never rewritten, so a changed one is not the one judged here.
                        await blobs.Blob(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, new BlobRequestConditions { IfMatch = etag }, cancellationToken);
                        deleted++;
                        LogDeleted(logger, name, orphan ? "no index row names it" : "its index row is marked deleted", storedAt);
                    }
                    catch (RequestFailedException ex) when (ex.Status == 412)
                    {
                        // Changed since it was listed: judged again on the next run.
                    }
                    catch (RequestFailedException ex)
                    {
                        // Refused (an immutability policy, say): logged, and the rest are still swept.
                        refused++;
                        LogRefused(logger, name, ex.Status, ex.ErrorCode);
                    }
                }
            }
        }

        var result = InvocationResult.Empty().Log($"Credit file sweep: {looked} blobs listed, {candidates.Sum(c => c.Value.Count)} stored since {since:O} checked against the index, {deleted} deleted, {refused} refused by storage.");
        result.ReturnValue = deleted;
        return result;
    }

    /// <summary>
    /// When the blob was stored: the earlier of its <c>uploadedat</c> metadata and its creation time. The earlier, because
    /// an upload session's client writes the blob itself and could set <c>uploadedat</c> in the future to keep an
    /// uncompleted file from ever ageing; the creation time, set by storage, bounds it.
    /// </summary>
    private static DateTimeOffset StoredAt(BlobItem item)
    {
        var created = item.Properties.CreatedOn ?? item.Properties.LastModified ?? DateTimeOffset.MinValue;
        return item.Metadata is { } metadata && metadata.TryGetValue("uploadedat", out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at) && at < created
            ? at
            : created;
    }

    [LoggerMessage(LogLevel.Warning, "Credit file sweep: storage refused to delete blob {Blob} ({Status} {ErrorCode}); it stays")]
    private static partial void LogRefused(ILogger logger, string blob, int status, string? errorCode);

    [LoggerMessage(LogLevel.Warning, "Credit file sweep: deleted blob {Blob} ({Why}; stored {StoredAt:O})")]
    private static partial void LogDeleted(ILogger logger, string blob, string why, DateTimeOffset storedAt);
}
