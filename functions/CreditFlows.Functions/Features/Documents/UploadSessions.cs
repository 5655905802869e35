using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>What a client asks for when it opens an upload session: the file it will upload, described beforehand.</summary>
public sealed record UploadSessionRequest(DocumentType? Type, long? Size, string? Sha256, int? CollateralItem, string? Note, string? FileName);

/// <summary>An upload session as stored: the file announced, the blob it may create, until when, and whether a document completed it.</summary>
public sealed record UploadSession(
    string Id,
    string ApplicationId,
    string Branch,
    DocumentType Type,
    long Size,
    string Sha256,
    int? CollateralItem,
    string? Note,
    string? FileName,
    string BlobName,
    string CreatedBy,
    string CreatedByName,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    bool Completed);

/// <summary>
/// An upload session as the API shows it to the user who opened it. <c>uploadUrl</c> is a create-only SAS for the one
/// blob: send the file there with <c>uploadMethod</c> and <c>uploadHeaders</c> (or as blocks, to resume), before
/// <c>expiresAt</c>; then POST <c>completeUrl</c>. <c>status</c>: Open, Expired (the URL no longer works; a file
/// uploaded in time can still be completed) or Completed (<c>documentId</c> is the document).
/// </summary>
public sealed record UploadSessionView(
    string Id,
    string ApplicationId,
    DocumentType Type,
    long Size,
    string Sha256,
    int? CollateralItem,
    string? Note,
    string? FileName,
    string Status,
    string UploadUrl,
    string UploadMethod,
    IReadOnlyDictionary<string, string> UploadHeaders,
    DateTimeOffset ExpiresAt,
    string CompleteUrl,
    string? DocumentId);

public enum SessionResult
{
    Created = 1,
    Replayed = 2,
    NotFound = 3,

    /// <summary>The Idempotency-Key was used before for a different request (422).</summary>
    KeyReused = 4,
}

public sealed record SessionOutcome(SessionResult Result, UploadSessionView? Session = null, DocumentRecord? Document = null);

/// <summary>
/// Large files from the field, straight to storage: <see cref="OpenAsync"/> checks what the client announces (type,
/// size, SHA-256, as an upload would be checked), reserves a document id and answers a short-lived, create-only SAS
/// URL for that one blob (<see cref="DocumentBlobs.CreateOnlyUriAsync"/>). The client uploads there, resumably, without
/// the Functions host's limits on request size and time. <see cref="CompleteAsync"/> then reads the blob back once,
/// streaming, through the same <see cref="BodyInspection"/> as a direct upload (format, damage, the announced size and
/// SHA-256), labels it and indexes it as the next version of its type, marking the session completed in the same
/// transaction. A refused file is deleted and the session stays open, so the client can upload again while the URL
/// lasts; a file never completed is an unindexed blob, which <see cref="CreditFileSweepFunction"/> deletes.
/// </summary>
public sealed class UploadSessions(ApplicationStore applications, DocumentStore store, DocumentBlobs blobs, IOptions<DocumentsOptions> options, BusinessClock clock)
{
    private const int MaxVersionAttempts = 20;
    private const int MaxJudgeAttempts = 5;

    public async Task<SessionOutcome> OpenAsync(string applicationId, CreditUser actor, UploadSessionRequest request, IdempotencyKey? key, CancellationToken cancellationToken)
    {
        var (type, size, sha256) = Check(request);
        if (await applications.FindAsync(applicationId, cancellationToken) is not { } stored)
        {
            return new SessionOutcome(SessionResult.NotFound);
        }

        var application = stored.Application;

        // A repeat answers the first session even if the application has moved on since (as an upload's repeat does);
        // branch scope first, so a caller without access learns nothing from the key.
        DocumentUploads.CheckInScope(application, actor);
        var requestHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"session\n{type}\n{size}\n{sha256}\n{request.CollateralItem}\n{request.Note}\n{request.FileName}")));
        if (key is { } k && await store.FindUploadAsync(applicationId, k.Hash, cancellationToken) is { } earlier)
        {
            return await EarlierAsync(applicationId, earlier, requestHash, cancellationToken);
        }

        DocumentUploads.CheckMayAdd(application, actor, type, request.CollateralItem);

        var id = DocumentUploads.NewId();
        var now = clock.Now;
        var session = new UploadSession(id, applicationId, application.Branch.Value, type, size, sha256, request.CollateralItem, NullIfEmpty(request.Note),
            NullIfEmpty(request.FileName), $"{application.Branch.Value}/{applicationId}/{type}/{id}", actor.Id, actor.Name, now, now + options.Value.UploadSessionLifetime, Completed: false);
        try
        {
            await store.AddSessionAsync(session, key is { } used ? (used.Hash, requestHash) : null, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && key is not null)
        {
            // A racing repeat with the same key stored its session first: answer that one.
            if (await store.FindUploadAsync(applicationId, key.Hash, cancellationToken) is not { } first)
            {
                throw;
            }

            return await EarlierAsync(applicationId, first, requestHash, cancellationToken);
        }

        return new SessionOutcome(SessionResult.Created, await ViewAsync(session, cancellationToken));
    }

    /// <summary>The session, for the user who opened it (anyone else: 403), or null.</summary>
    public async Task<UploadSessionView?> FindAsync(string applicationId, string sessionId, CreditUser actor, CancellationToken cancellationToken)
    {
        if (await store.FindSessionAsync(applicationId, sessionId, cancellationToken) is not { } found)
        {
            return null;
        }

        RequireOwner(found.Session, actor);
        return await ViewAsync(found.Session, cancellationToken);
    }

    /// <summary>
    /// Judges the uploaded blob and makes it the document. A repeat after completion answers the document again
    /// (<see cref="SessionResult.Replayed"/>). Throws <see cref="DocumentRefusal"/>: 409 <see cref="DocumentRefusalKind.NotYet"/>
    /// when nothing was uploaded; 400/413/415 for a file that is not what was announced (the blob is deleted).
    /// </summary>
    public async Task<SessionOutcome> CompleteAsync(string applicationId, string sessionId, CreditUser actor, CancellationToken cancellationToken)
    {
        if (await store.FindSessionAsync(applicationId, sessionId, cancellationToken) is not { } found)
        {
            return new SessionOutcome(SessionResult.NotFound);
        }

        var (session, sessionETag) = found;
        RequireOwner(session, actor);
        if (session.Completed)
        {
            return await CompletedAsync(session, cancellationToken);
        }

        if (await applications.FindAsync(applicationId, cancellationToken) is not { } stored)
        {
            return new SessionOutcome(SessionResult.NotFound);
        }

        var blob = blobs.Blob(session.BlobName);
        try
        {
            // The application may have moved on since the session was opened (approved, say): the same rules as an upload, now.
            DocumentUploads.CheckMayAdd(stored.Application, actor, session.Type, session.CollateralItem);
        }
        catch (DocumentRefusal)
        {
            await blobs.DiscardAsync(blob, BlobProgress.Blob); // whatever was uploaded can no longer become a document
            throw;
        }

        ContentFacts facts;
        string fileName;
        DateTimeOffset now;
        for (var attempt = 1; ; attempt++)
        {
            BlobProperties properties;
            try
            {
                properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                throw new DocumentRefusal(DocumentRefusalKind.NotYet, "",
                    $"Nothing has been uploaded for session {sessionId} yet: PUT the file to its uploadUrl (until {session.ExpiresAt:O}), then complete it.");
            }

            try
            {
                var max = options.Value.MaxUploadBytes;
                if (properties.ContentLength > max)
                {
                    throw new DocumentRefusal(DocumentRefusalKind.TooLarge, "file", $"the uploaded file has {properties.ContentLength} bytes, more than the {max} a document may have.");
                }

                if (properties.ContentLength != session.Size)
                {
                    throw new DocumentRefusal(DocumentRefusalKind.Invalid, "size",
                        $"the session announced {session.Size} bytes but {properties.ContentLength} were uploaded: the upload is incomplete, or it is another file.");
                }

                facts = await JudgeAsync(blob, properties.ETag, session, max, cancellationToken);
                fileName = DocumentUploads.FileNameFor(session.FileName, facts.Kind, session.Type, session.Id);
                now = clock.Now;
                var labels = new BlobLabels(session.Id, applicationId, session.Branch, session.Type, session.CreatedBy, fileName);
                await blobs.LabelUploadedAsync(blob, properties.ETag, facts.Kind.ContentType(), labels.Metadata(facts.Sha256, now), labels.Tags(facts.Sha256), cancellationToken);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxJudgeAttempts)
            {
                // The blob changed after it was read: another completion of this session labelled it meanwhile. Answer
                // its document if it is done; else judge the blob again as it is now.
                if (await store.FindSessionAsync(applicationId, sessionId, cancellationToken) is { Session.Completed: true } done)
                {
                    return await CompletedAsync(done.Session, cancellationToken);
                }
            }
            catch (DocumentRefusal)
            {
                // Not the file announced, or no longer acceptable: it goes, and the session stays open for another upload.
                await blobs.DiscardAsync(blob, BlobProgress.Blob);
                throw;
            }
        }

        // Judged and labelled: from here a failure leaves the file for another completion, not deleted.
        var latest = await store.LatestVersionAsync(applicationId, session.Type, cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var record = new DocumentRecord(session.Id, applicationId, session.Branch, session.Type, latest + 1, session.CollateralItem, session.Note, fileName,
                facts.Kind, facts.Kind.ContentType(), facts.Length, facts.Sha256, session.BlobName, session.CreatedBy, session.CreatedByName, now) { Latest = true };
            try
            {
                await store.AddAsync(record, null, cancellationToken, completes: sessionETag);
                return new SessionOutcome(SessionResult.Created, Document: record);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxVersionAttempts)
            {
                // Another completion of this session won (answer its document), or another upload took the version.
                if (await store.FindSessionAsync(applicationId, sessionId, cancellationToken) is { Session.Completed: true } done)
                {
                    return await CompletedAsync(done.Session, cancellationToken);
                }

                latest = await store.LatestVersionAsync(applicationId, session.Type, cancellationToken);
            }
        }
    }

    /// <summary>Reads the blob once, streaming, through the same checks as a direct upload, against the announced SHA-256.</summary>
    private static async Task<ContentFacts> JudgeAsync(Azure.Storage.Blobs.Specialized.BlockBlobClient blob, ETag etag, UploadSession session, long max, CancellationToken cancellationToken)
    {
        var download = await blob.DownloadStreamingAsync(new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = etag } }, cancellationToken);
        await using var content = download.Value.Content;
        using var inspection = await BodyInspection.ReadLeadAsync(content, declaredType: null, new DeclaredDigest("sha256", session.Sha256), max, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await content.ReadAsync(buffer.AsMemory(0, 81920), cancellationToken)) > 0)
            {
                inspection.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return inspection.Complete();
    }

    private async Task<SessionOutcome> CompletedAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var document = await store.FindAsync(session.ApplicationId, session.Id, cancellationToken);
        return new SessionOutcome(SessionResult.Replayed, Document: document is { Deleted: false } d ? d.Record : null);
    }

    private async Task<SessionOutcome> EarlierAsync(string applicationId, StoredUpload earlier, string requestHash, CancellationToken cancellationToken)
    {
        if (earlier.RequestHash != requestHash)
        {
            return new SessionOutcome(SessionResult.KeyReused);
        }

        var found = await store.FindSessionAsync(applicationId, earlier.DocumentId, cancellationToken);
        return found is { } f
            ? new SessionOutcome(SessionResult.Replayed, await ViewAsync(f.Session, cancellationToken))
            : new SessionOutcome(SessionResult.KeyReused);
    }

    private async Task<UploadSessionView> ViewAsync(UploadSession session, CancellationToken cancellationToken)
    {
        var url = await blobs.CreateOnlyUriAsync(blobs.Blob(session.BlobName), session.CreatedAt, session.ExpiresAt, cancellationToken);
        var status = session.Completed ? "Completed" : clock.Now >= session.ExpiresAt ? "Expired" : "Open";
        return new UploadSessionView(session.Id, session.ApplicationId, session.Type, session.Size, session.Sha256, session.CollateralItem, session.Note, session.FileName,
            status, url.ToString(), "PUT", new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" }, session.ExpiresAt,
            $"/api/applications/{session.ApplicationId}/documents/upload-sessions/{session.Id}/complete", session.Completed ? session.Id : null); // the document takes the session's id
    }

    private (DocumentType Type, long Size, string Sha256) Check(UploadSessionRequest request)
    {
        if (request.Type is not { } type || !Enum.IsDefined(type))
        {
            throw Invalid("type", $"is required: one of {string.Join(", ", Enum.GetNames<DocumentType>())}.");
        }

        var max = options.Value.MaxUploadBytes;
        if (request.Size is not { } size || size <= 0)
        {
            throw Invalid("size", "is required: the file's length in bytes (more than 0).");
        }

        if (size > max)
        {
            throw new DocumentRefusal(DocumentRefusalKind.TooLarge, "size", $"{size} bytes is more than the {max} bytes a document may have.");
        }

        if (request.Sha256 is not { Length: 64 } hex || !hex.All(char.IsAsciiHexDigit))
        {
            throw Invalid("sha256", "is required: the file's SHA-256 as 64 hexadecimal characters.");
        }

        if (request.CollateralItem is < 0)
        {
            throw Invalid("collateralItem", "is the number of a collateral item of the investigation, from 0.");
        }

        UploadQuery.CheckNote(request.Note ?? "");
        UploadQuery.CheckFileName(request.FileName ?? "");
        return (type, size, hex.ToLowerInvariant());
    }

    private static void RequireOwner(UploadSession session, CreditUser actor)
    {
        if (session.CreatedBy != actor.Id)
        {
            throw new DocumentRefusal(DocumentRefusalKind.NotPermitted, "", "Only the user who opened an upload session may see or complete it: its URL is a credential.");
        }
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static DocumentRefusal Invalid(string field, string problem) => new(DocumentRefusalKind.Invalid, field, problem);
}
