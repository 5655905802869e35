using System.Buffers;
using System.Text;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Azure.Storage.Sas;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>What streaming a body into staged blocks produced: the block ids and what the content turned out to be.</summary>
public sealed record StagedUpload(IReadOnlyList<string> BlockIds, ContentFacts Facts);

/// <summary>How far an upload got in storage, for <see cref="DocumentBlobs.DiscardAsync"/>.</summary>
public enum BlobProgress
{
    /// <summary>Nothing was sent: the body was refused on its leading bytes.</summary>
    Nothing = 0,

    /// <summary>Blocks may have been staged, uncommitted.</summary>
    StagedBlocks = 1,

    /// <summary>A Put Blob was sent or a block list committed: the blob may exist.</summary>
    Blob = 2,
}

/// <summary>
/// The credit-file container. An upload goes one of two ways, both streamed (nothing holds the whole file):
/// <list type="bullet">
/// <item><b>One Put Blob</b> (<see cref="PutAsync"/>) when the request's Content-Length is known and at most
/// <see cref="DocumentsOptions.SingleRequestMaxBytes"/>: the body flows through <see cref="SingleRequestBody"/>
/// into a single request, as the SDK uploads a file of known length by default. The file is judged whole before
/// its last bytes go, so a refused file never completes the request. When the client declared the file's SHA-256
/// (Repr-Digest) the request carries it in the metadata and tags, and a file with another hash is refused before its
/// last bytes go; otherwise the hash is known only at the end, so it is written to the blob's metadata and tags by
/// <see cref="LabelAsync"/> right after.</item>
/// <item><b>Staged blocks</b> (<see cref="StageAsync"/>, then <see cref="CommitAsync"/>) otherwise (chunked
/// bodies, larger files): a block at a time from a pooled buffer, while the next is read from the request;
/// nothing is visible until the block list is committed with the hash in its metadata and tags.</item>
/// </list>
/// Either way the leading bytes were judged (<see cref="BodyInspection.ReadLeadAsync"/>) before anything was sent.
/// </summary>
public sealed partial class DocumentBlobs(BlobServiceClient blobs, ILogger<DocumentBlobs> logger)
{
    public BlobContainerClient Container => blobs.GetBlobContainerClient(StorageNames.Containers.CreditFiles);

    public BlockBlobClient Blob(string name) => Container.GetBlockBlobClient(name);

    /// <summary>How far a SAS's start is set back, for clocks that differ a little.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _keyLock = new(1, 1);
    private (UserDelegationKey Key, DateTimeOffset Until)? _delegationKey;

    /// <summary>
    /// A URL that lets its holder <b>create</b> this one blob until <paramref name="expiresOn"/>, in one Put Blob, and
    /// nothing else: it cannot read, list, delete, stage blocks (write permission, which would also allow overwriting
    /// the file after it was judged) or name another blob; on Azure, create permission also refuses a Put Blob over a
    /// blob that exists (Azurite does not check that). Signed with the account key where the app has one (a connection
    /// string: Azurite), else with a user delegation key from the app's identity (Azure: no account key involved).
    /// </summary>
    public async Task<Uri> CreateOnlyUriAsync(BlockBlobClient blob, DateTimeOffset issuedAt, DateTimeOffset expiresOn, CancellationToken cancellationToken)
    {
        var sas = new BlobSasBuilder(BlobSasPermissions.Create, expiresOn)
        {
            BlobContainerName = blob.BlobContainerName,
            BlobName = blob.Name,
            Resource = "b",
            StartsOn = issuedAt - ClockSkew,
            Protocol = blob.Uri.Scheme == Uri.UriSchemeHttps ? SasProtocol.Https : SasProtocol.HttpsAndHttp,
        };
        if (blob.CanGenerateSasUri)
        {
            return blob.GenerateSasUri(sas);
        }

        var key = await DelegationKeyAsync(expiresOn, cancellationToken);
        return new BlobUriBuilder(blob.Uri) { Sas = sas.ToSasQueryParameters(key, blobs.AccountName) }.ToUri();
    }

    /// <summary>A user delegation key valid until at least <paramref name="until"/>, kept and reused (one is good for up to 7 days).</summary>
    private async Task<UserDelegationKey> DelegationKeyAsync(DateTimeOffset until, CancellationToken cancellationToken)
    {
        if (_delegationKey is { } kept && kept.Until >= until)
        {
            return kept.Key;
        }

        await _keyLock.WaitAsync(cancellationToken);
        try
        {
            if (_delegationKey is { } again && again.Until >= until)
            {
                return again.Key;
            }

            var now = DateTimeOffset.UtcNow;
            var expires = until.AddDays(1) < now.AddDays(7) ? until.AddDays(1) : now.AddDays(7).AddMinutes(-1);
            var key = (await blobs.GetUserDelegationKeyAsync(now - ClockSkew, expires, cancellationToken)).Value;
            _delegationKey = (key, expires);
            return key;
        }
        finally
        {
            _keyLock.Release();
        }
    }

    /// <summary>Writes the content type, metadata and tags of a blob uploaded straight to storage, once its content was judged (on its ETag).</summary>
    public async Task LabelUploadedAsync(BlockBlobClient blob, ETag etag, string contentType, IDictionary<string, string> metadata, IDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        var labelled = await blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = etag }, cancellationToken);
        await Task.WhenAll(
            blob.SetHttpHeadersAsync(new BlobHttpHeaders { ContentType = contentType }, new BlobRequestConditions { IfMatch = labelled.Value.ETag }, cancellationToken),
            blob.SetTagsAsync(tags, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Sends the body (its judged leading bytes, then the rest as it arrives) as one Put Blob of exactly
    /// <paramref name="length"/> bytes that never overwrites. Throws <see cref="DocumentRefusal"/> for a damaged or
    /// short body, with nothing committed. Answers the content's facts and the new blob's ETag.
    /// </summary>
    public async Task<(ContentFacts Facts, ETag ETag)> PutAsync(
        BlockBlobClient blob, BodyInspection inspection, Stream body, long length, IDictionary<string, string> metadata, IDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        LogSingleRequest(logger, blob.Name, length, metadata.ContainsKey("sha256") ? "labelled with the SHA-256 the client declared" : "to be labelled with its SHA-256 after");
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var content = new SingleRequestBody(body, inspection, length, abort);
        try
        {
            var response = await blob.UploadAsync(content, new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = inspection.Kind.ContentType() },
                Metadata = metadata,
                Tags = tags,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, // a scan is never overwritten
                // One request for the whole length (the SDK's single-upload threshold is exclusive); streamed, as the
                // content is seekable (see SingleRequestBody).
                TransferOptions = new StorageTransferOptions { InitialTransferSize = length + 1, MaximumConcurrency = 1 },
            }, abort.Token);
            return (content.Facts ?? throw new InvalidOperationException("The Put Blob completed before the body was read to its end."), response.Value.ETag);
        }
        catch (Exception) when (content.Fault is { } fault)
        {
            fault.Throw(); // the refusal (or the client's failure) that stopped the request, not the SDK's wrapping of it
            throw;
        }
    }

    /// <summary>Writes the final metadata and tags (with the hash, known only at the end) of a blob made by <see cref="PutAsync"/>.</summary>
    public async Task LabelAsync(BlockBlobClient blob, ETag etag, IDictionary<string, string> metadata, IDictionary<string, string> tags, CancellationToken cancellationToken) =>
        await Task.WhenAll(
            blob.SetMetadataAsync(metadata, new BlobRequestConditions { IfMatch = etag }, cancellationToken),
            blob.SetTagsAsync(tags, cancellationToken: cancellationToken));

    /// <summary>
    /// Reads the rest of <paramref name="body"/> into staged blocks of <paramref name="blob"/>, the first block
    /// starting with the inspection's leading bytes. Throws <see cref="DocumentRefusal"/> for damaged content and
    /// <see cref="BadHttpRequestException"/> 413 past the size limit.
    /// </summary>
    public async Task<StagedUpload> StageAsync(BlockBlobClient blob, BodyInspection inspection, Stream body, DocumentsOptions options, CancellationToken cancellationToken)
    {
        LogStagedBlocks(logger, blob.Name, options.BlockBytes);
        var blockIds = new List<string>();
        var inFlight = new Queue<(Task Task, byte[] Buffer)>();
        var pool = ArrayPool<byte>.Shared;
        var lead = inspection.Lead;
        try
        {
            while (true)
            {
                var buffer = pool.Rent(options.BlockBytes);
                var filled = 0;
                try
                {
                    if (blockIds.Count == 0)
                    {
                        lead.CopyTo(buffer);
                        filled = lead.Length;
                    }

                    int read;
                    while (filled < options.BlockBytes && (read = await body.ReadAsync(buffer.AsMemory(filled, options.BlockBytes - filled), cancellationToken)) > 0)
                    {
                        inspection.Append(buffer.AsSpan(filled, read));
                        filled += read;
                    }
                }
                catch
                {
                    pool.Return(buffer);
                    throw;
                }

                if (filled == 0)
                {
                    pool.Return(buffer);
                    break;
                }

                if (inFlight.Count >= options.ParallelBlocks)
                {
                    await DrainOneAsync(inFlight, pool);
                }

                var id = Convert.ToBase64String(Encoding.ASCII.GetBytes($"block-{blockIds.Count:D6}"));
                blockIds.Add(id);
                inFlight.Enqueue((blob.StageBlockAsync(id, new MemoryStream(buffer, 0, filled, writable: false), cancellationToken: cancellationToken), buffer));
                if (filled < options.BlockBytes)
                {
                    break;
                }
            }

            while (inFlight.Count > 0)
            {
                await DrainOneAsync(inFlight, pool);
            }
        }
        finally
        {
            // On failure, wait for blocks still being sent before their buffers go back to the pool.
            while (inFlight.TryDequeue(out var pending))
            {
                await Task.WhenAny(pending.Task);
                pool.Return(pending.Buffer);
            }
        }

        return new StagedUpload(blockIds, inspection.Complete());
    }

    /// <summary>Makes the staged blocks the blob, with its content type, metadata and index tags.</summary>
    public async Task CommitAsync(BlockBlobClient blob, StagedUpload staged, IDictionary<string, string> metadata, IDictionary<string, string> tags, CancellationToken cancellationToken) =>
        await blob.CommitBlockListAsync(staged.BlockIds, new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = staged.Facts.Kind.ContentType() },
            Metadata = metadata,
            Tags = tags,
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, // a scan is never overwritten
        }, cancellationToken);

    /// <summary>
    /// Leaves nothing of a failed upload. Uncommitted blocks cannot be deleted on their own, so an empty block list
    /// is committed over them (which discards them) and that empty blob deleted; a blob that may exist (a Put Blob
    /// whose answer was lost, a commit followed by a failure) is deleted. Best effort: a failure is logged, and
    /// Azure drops uncommitted blocks after a week anyway.
    /// </summary>
    public async Task DiscardAsync(BlockBlobClient blob, BlobProgress progress)
    {
        if (progress == BlobProgress.Nothing)
        {
            return;
        }

        try
        {
            if (progress == BlobProgress.StagedBlocks)
            {
                try
                {
                    await blob.CommitBlockListAsync([], new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, CancellationToken.None);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // The blocks were committed after all (the commit's answer was lost): the blob is deleted below.
                }
            }

            var deleted = await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            LogDiscarded(logger, blob.Name, progress, deleted.Value);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException)
        {
            LogDiscardFailed(logger, blob.Name, ex);
        }
    }

    /// <summary>Blob index tag values allow letters, digits, space and + - . / : = _ only.</summary>
    public static string TagValue(string value)
    {
        var chars = value.Select(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '+' or '-' or '.' or '/' or ':' or '=' or '_' ? c : '_').ToArray();
        return new string(chars, 0, Math.Min(chars.Length, 256));
    }

    private static async Task DrainOneAsync(Queue<(Task Task, byte[] Buffer)> inFlight, ArrayPool<byte> pool)
    {
        var (task, buffer) = inFlight.Dequeue();
        try
        {
            await task;
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    [LoggerMessage(LogLevel.Information, "Uploading blob {Blob} in one Put Blob of {Length} bytes, {Labels}")]
    private static partial void LogSingleRequest(ILogger logger, string blob, long length, string labels);

    [LoggerMessage(LogLevel.Information, "Uploading blob {Blob} as staged blocks of {BlockBytes} bytes")]
    private static partial void LogStagedBlocks(ILogger logger, string blob, int blockBytes);

    [LoggerMessage(LogLevel.Information, "Discarded what a failed upload left of blob {Blob} (it got as far as {Progress}; a committed blob was there to delete: {Deleted})")]
    private static partial void LogDiscarded(ILogger logger, string blob, BlobProgress progress, bool deleted);

    [LoggerMessage(LogLevel.Warning, "Could not discard blob {Blob} of a failed upload")]
    private static partial void LogDiscardFailed(ILogger logger, string blob, Exception exception);
}
