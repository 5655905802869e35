using System.Security.Cryptography;
using System.Text;
using Azure;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>The SHA-256 (lowercase hex) a client declared for its file, and the header it came in.</summary>
public sealed record DeclaredDigest(string Header, string Sha256);

/// <summary>An upload as asked for: the query parameters and headers, already checked for form.</summary>
public sealed record UploadRequest(DocumentType Type, int? CollateralItem, string? Note, string? FileName, string? DeclaredType, int? IfMatchVersion, IdempotencyKey? Key, DeclaredDigest? Digest = null)
{
    /// <summary>What identifies the request for its Idempotency-Key (the content is not read again for a repeat; a declared digest stands for it).</summary>
    public string Hash(long? contentLength) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"{Type}\n{CollateralItem}\n{Note}\n{FileName}\n{contentLength}" + (Digest is { } digest ? $"\n{digest.Sha256}" : ""))));
}

public enum UploadResult
{
    Created = 1,
    Replayed = 2,
    NotFound = 3,

    /// <summary>If-Match named a version of the type that is no longer the latest (412).</summary>
    StaleVersion = 4,

    /// <summary>The Idempotency-Key was used before for a different upload (422).</summary>
    KeyReused = 5,
}

public sealed record UploadOutcome(UploadResult Result, DocumentRecord? Document = null, int LatestVersion = 0);

/// <summary>
/// Uploads a scan: checks the application (branch scope, state, collateral item), judges the leading bytes, streams
/// the body to its final blob while judging and hashing it (one Put Blob when its length is known and not too
/// large, staged blocks otherwise: see <see cref="DocumentBlobs"/>), then claims the next version of its type in
/// the index. Whatever fails after the first byte was sent, the blob is discarded, so a refused or failed upload
/// leaves nothing behind; the index is written last, so it never names a blob that is not there.
/// </summary>
public sealed class DocumentUploads(ApplicationStore applications, DocumentStore store, DocumentBlobs blobs, IOptions<DocumentsOptions> options, BusinessClock clock)
{
    private const int MaxVersionAttempts = 20;

    public async Task<UploadOutcome> UploadAsync(string applicationId, CreditUser actor, UploadRequest request, Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        // The three reads an upload starts with go at once (one round trip's wait, not three); their answers are looked at
        // in the same order as before, so a caller without access learns nothing from the others.
        var storedTask = applications.FindAsync(applicationId, cancellationToken);
        var earlierTask = request.Key is { } key ? store.FindUploadAsync(applicationId, key.Hash, cancellationToken) : Task.FromResult<StoredUpload?>(null);
        var latestTask = store.LatestVersionAsync(applicationId, request.Type, cancellationToken);
        try
        {
            await Task.WhenAll(storedTask, earlierTask, latestTask);
        }
        catch (Exception) when (storedTask.IsCompletedSuccessfully && storedTask.Result is null)
        {
            return new UploadOutcome(UploadResult.NotFound); // no application: the other reads' failures do not matter
        }

        if (storedTask.Result is not { } stored)
        {
            return new UploadOutcome(UploadResult.NotFound);
        }

        var application = stored.Application;

        // A repeat is answered with the first answer before the state is looked at: the application may have moved on
        // since (approved, say), and the retry asks what became of the first upload, not to add another. Branch scope
        // still comes first, so a caller without access learns nothing from the key.
        CheckInScope(application, actor);
        var requestHash = request.Hash(contentLength);
        if (earlierTask.Result is { } earlier)
        {
            return await EarlierAsync(applicationId, earlier, requestHash, cancellationToken);
        }

        CheckMayAdd(application, actor, request.Type, request.CollateralItem);

        var latest = latestTask.Result;
        if (request.IfMatchVersion is { } expected && expected != latest)
        {
            return new UploadOutcome(UploadResult.StaleVersion, LatestVersion: latest);
        }

        var documentId = NewId();
        var blobName = $"{application.Branch.Value}/{applicationId}/{request.Type}/{documentId}";
        var blob = blobs.Blob(blobName);
        var settings = options.Value;
        var progress = BlobProgress.Nothing;
        var kept = false;

        // The leading bytes are judged, and the name checked against them, before anything is sent to storage.
        using var inspection = await BodyInspection.ReadLeadAsync(body, request.DeclaredType, request.Digest, settings.MaxUploadBytes, cancellationToken);
        var fileName = FileNameFor(request.FileName, inspection.Kind, request.Type, documentId);
        var labels = new BlobLabels(documentId, applicationId, application.Branch.Value, request.Type, actor.Id, fileName);
        try
        {
            ContentFacts facts;
            DateTimeOffset now;
            if (contentLength is { } length && length <= settings.SingleRequestMaxBytes)
            {
                progress = BlobProgress.Blob;
                if (request.Digest is { } digest)
                {
                    // The hash is declared, and checked before the last bytes go: the Put Blob carries every label, so the
                    // blob is written once (with versioning on, one version, not a second one for the labels).
                    now = clock.Now;
                    (facts, _) = await blobs.PutAsync(blob, inspection, body, length, labels.Metadata(digest.Sha256, now), labels.Tags(digest.Sha256), cancellationToken);
                }
                else
                {
                    (facts, var etag) = await blobs.PutAsync(blob, inspection, body, length, labels.Metadata(null, clock.Now), labels.Tags(null), cancellationToken);
                    now = clock.Now;
                    await blobs.LabelAsync(blob, etag, labels.Metadata(facts.Sha256, now), labels.Tags(facts.Sha256), cancellationToken);
                }
            }
            else
            {
                progress = BlobProgress.StagedBlocks;
                var staged = await blobs.StageAsync(blob, inspection, body, settings, cancellationToken);
                facts = staged.Facts;
                now = clock.Now;
                await blobs.CommitAsync(blob, staged, labels.Metadata(facts.Sha256, now), labels.Tags(facts.Sha256), cancellationToken);
                progress = BlobProgress.Blob;
            }

            for (var attempt = 1; ; attempt++)
            {
                var record = new DocumentRecord(documentId, applicationId, application.Branch.Value, request.Type, latest + 1, request.CollateralItem,
                    request.Note, fileName, facts.Kind, facts.Kind.ContentType(), facts.Length, facts.Sha256, blobName, actor.Id, actor.Name, now) { Latest = true };
                try
                {
                    await store.AddAsync(record, request.Key is { } k ? (k.Hash, requestHash) : null, cancellationToken);
                    kept = true;
                    return new UploadOutcome(UploadResult.Created, record);
                }
                catch (RequestFailedException ex) when (ex.Status == 409 && attempt < MaxVersionAttempts)
                {
                    // The key's record or this version was added meanwhile: a racing repeat, or another upload of the type.
                    if (request.Key is { } raced && await store.FindUploadAsync(applicationId, raced.Hash, cancellationToken) is { } first)
                    {
                        return await EarlierAsync(applicationId, first, requestHash, cancellationToken);
                    }

                    latest = await store.LatestVersionAsync(applicationId, request.Type, cancellationToken);
                    if (request.IfMatchVersion is not null)
                    {
                        return new UploadOutcome(UploadResult.StaleVersion, LatestVersion: latest);
                    }
                }
            }
        }
        finally
        {
            if (!kept)
            {
                await blobs.DiscardAsync(blob, progress);
            }
        }
    }

    private async Task<UploadOutcome> EarlierAsync(string applicationId, StoredUpload earlier, string requestHash, CancellationToken cancellationToken)
    {
        if (earlier.RequestHash != requestHash)
        {
            return new UploadOutcome(UploadResult.KeyReused);
        }

        var found = await store.FindAsync(applicationId, earlier.DocumentId, cancellationToken);
        return new UploadOutcome(UploadResult.Replayed, found?.Record);
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may add a document of <paramref name="type"/> to <paramref name="application"/>
    /// now: branch scope (403), the application's state (409) and the collateral item named (400). Throws <see cref="DocumentRefusal"/>.
    /// </summary>
    internal static void CheckMayAdd(LoanApplication application, CreditUser actor, DocumentType type, int? collateralItem)
    {
        CheckInScope(application, actor);
        DocumentRules.CheckUpload(application.State, type);
        var collateral = application.Investigation?.Collateral?.Count ?? 0;
        if (collateralItem is { } item && item >= collateral)
        {
            throw new DocumentRefusal(DocumentRefusalKind.Invalid, "collateralItem",
                $"there is no collateral item {item}: the investigation lists {collateral} (numbered from 0).");
        }
    }

    /// <summary>Whether <paramref name="application"/> is in <paramref name="actor"/>'s branch scope (else 403). Throws <see cref="DocumentRefusal"/>.</summary>
    internal static void CheckInScope(LoanApplication application, CreditUser actor)
    {
        if (!actor.CanAccess(application.Branch))
        {
            throw new DocumentRefusal(DocumentRefusalKind.NotPermitted, "", $"Application {application.Id} belongs to branch {application.Branch}, outside your branch scope.");
        }
    }

    /// <summary>The name downloads get: the one given (its extension must fit the content), else type and id, with the content's extension.</summary>
    internal static string FileNameFor(string? given, FileKind kind, DocumentType type, string documentId)
    {
        if (string.IsNullOrEmpty(given))
        {
            return $"{type}-{documentId}{kind.Extension()}";
        }

        var claimed = FileKinds.FromExtension(given);
        if (claimed is { } c && c != kind)
        {
            throw new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "fileName",
                $"the name says {c} but the content is {kind}: send the right file, or name it to match.");
        }

        return claimed is null ? given + kind.Extension() : given;
    }

    /// <summary>Ids read like DOC-7K3QX9AB2C.</summary>
    internal static string NewId()
    {
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        return "DOC-" + string.Create(10, 0, (span, _) =>
        {
            for (var n = 0; n < span.Length; n++)
            {
                span[n] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }
}
