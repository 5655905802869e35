using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>What streaming a body into staged blocks produced: the block ids, the length, the SHA-256 and the format.</summary>
public sealed record StagedUpload(IReadOnlyList<string> BlockIds, long Length, string Sha256, FileKind Kind);

/// <summary>
/// The credit-file container. An upload is streamed into <b>uncommitted blocks</b> of its final blob name, a block
/// at a time from a pooled buffer, while the next block is read from the request: nothing holds the whole file,
/// and nothing is visible until <see cref="CommitAsync"/>. The first bytes are judged before any block is sent,
/// the SHA-256 is computed as the bytes pass, and a file refused at its end is discarded with its blocks.
/// </summary>
public sealed partial class DocumentBlobs(BlobServiceClient blobs, ILogger<DocumentBlobs> logger)
{
    public BlobContainerClient Container => blobs.GetBlobContainerClient(StorageNames.Containers.CreditFiles);

    public BlockBlobClient Blob(string name) => Container.GetBlockBlobClient(name);

    /// <summary>
    /// Reads <paramref name="body"/> to its end into staged blocks of <paramref name="blob"/>. Throws
    /// <see cref="DocumentRefusal"/> for content that is not accepted (checked on the first bytes, before
    /// anything is sent) or is damaged, and <see cref="BadHttpRequestException"/> 413 past <paramref name="maxBytes"/>.
    /// </summary>
    public async Task<StagedUpload> StageAsync(BlockBlobClient blob, Stream body, string? declaredType, long maxBytes, DocumentsOptions options, CancellationToken cancellationToken)
    {
        var inspector = new ContentInspector();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var blockIds = new List<string>();
        var inFlight = new Queue<(Task Task, byte[] Buffer)>();
        var pool = ArrayPool<byte>.Shared;
        try
        {
            while (true)
            {
                var buffer = pool.Rent(options.BlockBytes);
                var filled = 0;
                try
                {
                    int read;
                    while (filled < options.BlockBytes && (read = await body.ReadAsync(buffer.AsMemory(filled, options.BlockBytes - filled), cancellationToken)) > 0)
                    {
                        var chunk = buffer.AsSpan(filled, read);
                        inspector.Append(chunk);
                        hash.AppendData(chunk);
                        filled += read;
                        if (inspector.Length > maxBytes)
                        {
                            throw new BadHttpRequestException($"The file is larger than {maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
                        }

                        if (inspector.Kind is null && inspector.Length >= ContentInspector.HeaderLength)
                        {
                            Judge(inspector.Identify(), declaredType);
                        }
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

                if (inspector.Kind is null)
                {
                    // A file shorter than the header: judged whole below, before anything is sent.
                    Judge(inspector.Finish(), declaredType);
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

        var verdict = inspector.Finish();
        Judge(verdict, declaredType);
        return new StagedUpload(blockIds, inspector.Length, Convert.ToHexStringLower(hash.GetHashAndReset()), verdict.Kind!.Value);
    }

    /// <summary>Makes the staged blocks the blob, with its content type, metadata and index tags.</summary>
    public async Task CommitAsync(BlockBlobClient blob, StagedUpload staged, IDictionary<string, string> metadata, IDictionary<string, string> tags, CancellationToken cancellationToken) =>
        await blob.CommitBlockListAsync(staged.BlockIds, new CommitBlockListOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = staged.Kind.ContentType() },
            Metadata = metadata,
            Tags = tags,
            Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All }, // a scan is never overwritten
        }, cancellationToken);

    /// <summary>
    /// Leaves nothing of a failed upload: uncommitted blocks cannot be deleted on their own, so an empty block list
    /// is committed over them (which discards them) and that empty blob deleted. Best effort: a failure is logged,
    /// and Azure drops uncommitted blocks after a week anyway.
    /// </summary>
    public async Task DiscardAsync(BlockBlobClient blob, bool committed)
    {
        try
        {
            if (!committed)
            {
                await blob.CommitBlockListAsync([], new CommitBlockListOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, CancellationToken.None);
            }

            await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
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

    private static void Judge(Inspection inspection, string? declaredType)
    {
        switch (inspection.Verdict)
        {
            case ContentVerdict.Empty or ContentVerdict.Damaged:
                throw new DocumentRefusal(DocumentRefusalKind.Invalid, "file", inspection.Detail);
            case ContentVerdict.NotAccepted:
                throw new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "file", inspection.Detail);
            case ContentVerdict.Accepted when !FileKinds.DeclaredTypeFits(declaredType, inspection.Kind!.Value):
                throw new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "Content-Type",
                    $"The body was declared as {declaredType} but its content is {inspection.Kind}: send the right file, or declare application/octet-stream.");
        }
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

    [LoggerMessage(LogLevel.Warning, "Could not discard blob {Blob} of a failed upload")]
    private static partial void LogDiscardFailed(ILogger logger, string blob, Exception exception);
}
