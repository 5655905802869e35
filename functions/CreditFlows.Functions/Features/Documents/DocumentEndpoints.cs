using System.Globalization;
using Azure;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Identity;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>
/// Credit files over HTTP. An upload is the file itself as the raw request body (its Content-Type, or
/// application/octet-stream) with <c>type</c>, <c>collateralItem</c>, <c>note</c> and <c>fileName</c> in the query:
/// nothing to assemble or parse on a phone, the body streams straight into storage, and a retry is one request
/// (with an Idempotency-Key it is answered from the first upload without sending the file again).
/// </summary>
public static class DocumentEndpoints
{
    public static RouteGroupBuilder MapDocumentEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/applications/{id}").WithTags("Documents");

        group.MapPost("/documents", UploadAsync)
            .RequireRoles(Role.LoanOfficer, Role.BranchDirector, Role.RiskManager)
            .WithSummary("Upload a scan as the raw body: PDF, JPEG, PNG, TIFF or HEIC, judged by content. Query: type (required), collateralItem, note, fileName.")
            // */* too: any other declared type reaches the handler, which answers a 415 that says what to send.
            .Accepts<Stream>("application/octet-stream", "application/pdf", "image/jpeg", "image/png", "image/tiff", "image/heic", "*/*")
            .Produces<DocumentRecord>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/documents/upload-sessions", OpenSessionAsync)
            .RequireRoles(Role.LoanOfficer, Role.BranchDirector, Role.RiskManager)
            .WithSummary("For a large file or a slow link: announce type, size and SHA-256 (and collateralItem, note, fileName); get a create-only URL to upload the file straight to storage, then complete the session.")
            .Accepts<UploadSessionRequest>("application/json")
            .Produces<UploadSessionView>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/documents/upload-sessions/{sessionId}", GetSessionAsync)
            .WithSummary("An upload session, for the user who opened it: its status, URL and expiry.")
            .Produces<UploadSessionView>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/documents/upload-sessions/{sessionId}/complete", CompleteSessionAsync)
            .RequireRoles(Role.LoanOfficer, Role.BranchDirector, Role.RiskManager)
            .WithSummary("Check the uploaded file (format, size, SHA-256, as an upload is checked) and make it the next version of its type; a repeat answers the same document.")
            .Produces<DocumentRecord>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        group.MapGet("/documents", ListAsync)
            .WithSummary("The application's documents, every version, oldest first; latest marks each type's newest version.")
            .Produces<IReadOnlyList<DocumentRecord>>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/documents/audit", AuditAsync)
            .RequireRoles(Role.Auditor, Role.BranchDirector, Role.HqCreditDept, Role.HqAdmin)
            .WithSummary("The credit file's access log: every upload, download and delete, who and when, oldest first.")
            .Produces<IReadOnlyList<DocumentAuditEntry>>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/documents/{documentId}", GetAsync)
            .WithSummary("One document's metadata.")
            .Produces<DocumentRecord>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/documents/{documentId}/content", DownloadAsync)
            .WithSummary("Download the original (streamed, with its content type and file name); recorded in the access log.")
            .Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/documents/{documentId}", DeleteAsync)
            .WithSummary("Delete a document: only its uploader, only before the application is submitted; recorded.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("/checklist", ChecklistAsync)
            .WithSummary("What the credit file checklist needs at each stage for this product and guarantee type: what is there and what is missing.")
            .Produces<ChecklistView>().ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<IResult> UploadAsync(string id, HttpContext http, DocumentUploads uploads, IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxUploadBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max;
        }

        var request = http.Request;
        if (request.ContentLength > max)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
                detail: $"file: {request.ContentLength} bytes is more than the {max} bytes a document may have.");
        }

        if (request.ContentType is { } declared && declared.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "Content-Type",
                "send the file itself as the request body (Content-Type: the file's type or application/octet-stream), with type, note and fileName in the query; multipart is not accepted."));
        }

        var user = http.User.ToCreditUser();
        try
        {
            var upload = UploadQuery.Read(request, user);
            var outcome = await uploads.UploadAsync(id, user, upload, request.Body, request.ContentLength, cancellationToken);
            return outcome.Result switch
            {
                UploadResult.Created => Results.Created($"/api/applications/{id}/documents/{outcome.Document!.Id}", outcome.Document),
                UploadResult.Replayed => Replayed(http, outcome.Document),
                UploadResult.NotFound => ApiProblems.NotFound($"There is no application '{id}'."),
                UploadResult.StaleVersion => Results.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "Stale version",
                    detail: $"If-Match names an older version of {upload.Type}; the latest is now version {outcome.LatestVersion}. Nothing was stored: list the documents and decide again.",
                    extensions: new Dictionary<string, object?> { ["latestVersion"] = outcome.LatestVersion }),
                _ => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: $"{ApplicationEndpoints.IdempotencyKeyHeader}: this key was used before for a different upload. Use a new key for a new upload."),
            };
        }
        catch (DocumentRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static async Task<IResult> OpenSessionAsync(string id, HttpContext http, UploadSessions sessions, CancellationToken cancellationToken)
    {
        var user = http.User.ToCreditUser();
        try
        {
            var key = UploadQuery.ReadKey(http.Request, user);
            var (body, problem) = await JsonBody.ReadAsync<UploadSessionRequest>(http.Request, cancellationToken);
            if (problem is not null)
            {
                return problem;
            }

            var outcome = await sessions.OpenAsync(id, user, body!, key, cancellationToken);
            if (outcome.Result == SessionResult.Replayed)
            {
                http.Response.Headers[ApplicationEndpoints.ReplayedHeader] = "true";
            }

            return outcome.Result switch
            {
                SessionResult.Created or SessionResult.Replayed => Results.Created($"/api/applications/{id}/documents/upload-sessions/{outcome.Session!.Id}", outcome.Session),
                SessionResult.NotFound => ApiProblems.NotFound($"There is no application '{id}'."),
                _ => Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: $"{ApplicationEndpoints.IdempotencyKeyHeader}: this key was used before for a different request. Use a new key for a new session."),
            };
        }
        catch (DocumentRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static async Task<IResult> GetSessionAsync(string id, string sessionId, HttpContext http, UploadSessions sessions, CancellationToken cancellationToken)
    {
        try
        {
            return await sessions.FindAsync(id, sessionId, http.User.ToCreditUser(), cancellationToken) is { } session
                ? Results.Ok(session)
                : ApiProblems.NotFound($"Application {id} has no upload session '{sessionId}'.");
        }
        catch (DocumentRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static async Task<IResult> CompleteSessionAsync(string id, string sessionId, HttpContext http, UploadSessions sessions, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await sessions.CompleteAsync(id, sessionId, http.User.ToCreditUser(), cancellationToken);
            return outcome.Result switch
            {
                SessionResult.Created => Results.Created($"/api/applications/{id}/documents/{outcome.Document!.Id}", outcome.Document),
                SessionResult.Replayed => Replayed(http, outcome.Document),
                _ => ApiProblems.NotFound($"Application {id} has no upload session '{sessionId}'."),
            };
        }
        catch (DocumentRefusal refusal)
        {
            return Problem(refusal);
        }
    }

    private static IResult Replayed(HttpContext http, DocumentRecord? document)
    {
        http.Response.Headers[ApplicationEndpoints.ReplayedHeader] = "true";
        return document is null
            ? ApiProblems.NotFound("The upload this key answered was deleted since.")
            : Results.Created($"/api/applications/{document.ApplicationId}/documents/{document.Id}", document);
    }

    private static async Task<IResult> ListAsync(string id, HttpContext http, ApplicationStore applications, DocumentStore store, CancellationToken cancellationToken) =>
        await InScopeAsync(id, http, applications, cancellationToken) is { } problem ? problem : Results.Ok(await store.ListAsync(id, cancellationToken));

    private static async Task<IResult> AuditAsync(string id, HttpContext http, ApplicationStore applications, DocumentStore store, CancellationToken cancellationToken) =>
        await InScopeAsync(id, http, applications, cancellationToken) is { } problem ? problem : Results.Ok(await store.AuditAsync(id, cancellationToken));

    private static async Task<IResult> GetAsync(string id, string documentId, HttpContext http, ApplicationStore applications, DocumentStore store, CancellationToken cancellationToken)
    {
        if (await InScopeAsync(id, http, applications, cancellationToken) is { } problem)
        {
            return problem;
        }

        return await store.FindAsync(id, documentId, cancellationToken) is { Deleted: false } found
            ? Results.Ok(found.Record)
            : ApiProblems.NotFound($"Application {id} has no document '{documentId}'.");
    }

    private static async Task<IResult> DownloadAsync(
        string id, string documentId, HttpContext http, ApplicationStore applications, DocumentStore store, DocumentBlobs blobs, BusinessClock clock, CancellationToken cancellationToken)
    {
        if (await InScopeAsync(id, http, applications, cancellationToken) is { } problem)
        {
            return problem;
        }

        if (await store.FindAsync(id, documentId, cancellationToken) is not { Deleted: false } found)
        {
            return ApiProblems.NotFound($"Application {id} has no document '{documentId}'.");
        }

        var record = found.Record;
        var download = await blobs.Blob(record.BlobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
        try
        {
            // Recorded once the original is there to send, before a byte of it goes out.
            var user = http.User.ToCreditUser();
            await store.RecordDownloadAsync(record, user.Id, user.Name, clock.Now, cancellationToken);
        }
        catch
        {
            download.Value.Dispose();
            throw;
        }

        http.Response.ContentLength = record.Size;
        http.Response.Headers[DigestHeader.Repr] = DigestHeader.Format(record.Sha256);
        return Results.Stream(download.Value.Content, record.ContentType, record.FileName);
    }

    private static async Task<IResult> DeleteAsync(
        string id, string documentId, HttpContext http, ApplicationStore applications, DocumentStore store, DocumentBlobs blobs, BusinessClock clock, CancellationToken cancellationToken)
    {
        if (await applications.FindAsync(id, cancellationToken) is not { } stored)
        {
            return ApiProblems.NotFound($"There is no application '{id}'.");
        }

        var user = http.User.ToCreditUser();
        if (!user.CanAccess(stored.Application.Branch))
        {
            return ApiProblems.OutsideBranch(stored.Application.Branch);
        }

        if (await store.FindAsync(id, documentId, cancellationToken) is not { } found)
        {
            return ApiProblems.NotFound($"Application {id} has no document '{documentId}'.");
        }

        try
        {
            if (!found.Deleted)
            {
                DocumentRules.CheckDelete(stored.Application.State, found.Record.UploadedBy, user.Id);
                await store.MarkDeletedAsync(found.Record, found.ETag, user.Id, user.Name, clock.Now, cancellationToken);
            }
            else if (found.Record.UploadedBy != user.Id)
            {
                return ApiProblems.NotFound($"Application {id} has no document '{documentId}'.");
            }
        }
        catch (DocumentRefusal refusal)
        {
            return Problem(refusal);
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 409)
        {
            return Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Changed meanwhile", detail: "The document changed while it was being deleted; read it again.");
        }

        // The index says deleted first, so a failure here is finished by repeating the DELETE.
        await blobs.Blob(found.Record.BlobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        return Results.NoContent();
    }

    private static async Task<IResult> ChecklistAsync(
        string id, HttpContext http, ApplicationStore applications, DocumentStore store, Checklist checklist, IOptions<DocumentsOptions> options, CancellationToken cancellationToken)
    {
        if (await applications.FindAsync(id, cancellationToken) is not { } stored)
        {
            return ApiProblems.NotFound($"There is no application '{id}'.");
        }

        var application = stored.Application;
        if (!http.User.ToCreditUser().CanAccess(application.Branch))
        {
            return ApiProblems.OutsideBranch(application.Branch);
        }

        var documents = await store.ListAsync(id, cancellationToken);
        var stages = checklist.Evaluate(application.Product, application.GuaranteeType, documents.Select(d => (d.Type, d.Id)).ToList());
        return Results.Ok(new ChecklistView(id, application.State.ToString(), application.Product.ToString(), application.GuaranteeType.ToString(),
            options.Value.EnforceChecklist, stages.All(s => s.Complete),
            stages.Select(s => new ChecklistStageView(s.Stage.ToString(), s.Complete,
                s.Items.Where(i => i.Present).Select(i => i.Type).ToList(), s.Items.Where(i => !i.Present).Select(i => i.Type).ToList(),
                s.Items)).ToList()));
    }

    private static async Task<IResult?> InScopeAsync(string id, HttpContext http, ApplicationStore applications, CancellationToken cancellationToken)
    {
        if (await applications.FindAsync(id, cancellationToken) is not { } stored)
        {
            return ApiProblems.NotFound($"There is no application '{id}'.");
        }

        return http.User.ToCreditUser().CanAccess(stored.Application.Branch) ? null : ApiProblems.OutsideBranch(stored.Application.Branch);
    }

    public static IResult Problem(DocumentRefusal refusal)
    {
        var (status, title) = refusal.Kind switch
        {
            DocumentRefusalKind.Invalid => (StatusCodes.Status400BadRequest, "Invalid input"),
            DocumentRefusalKind.WrongState => (StatusCodes.Status409Conflict, "Not in this state"),
            DocumentRefusalKind.NotPermitted => (StatusCodes.Status403Forbidden, "Not allowed"),
            DocumentRefusalKind.TooLarge => (StatusCodes.Status413PayloadTooLarge, "File too large"),
            DocumentRefusalKind.NotYet => (StatusCodes.Status409Conflict, "Not uploaded yet"),
            _ => (StatusCodes.Status415UnsupportedMediaType, "File not accepted"),
        };
        var detail = refusal.Field.Length > 0 && refusal.Kind is DocumentRefusalKind.Invalid or DocumentRefusalKind.UnsupportedContent or DocumentRefusalKind.TooLarge
            ? $"{refusal.Field}: {refusal.Message}"
            : refusal.Message;
        return Results.Problem(statusCode: status, title: title, detail: detail,
            extensions: refusal.Field.Length > 0
                ? new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [refusal.Field] = [refusal.Message] } }
                : null);
    }
}

public sealed record ChecklistStageView(string Stage, bool Complete, IReadOnlyList<DocumentType> Present, IReadOnlyList<DocumentType> Missing, IReadOnlyList<ChecklistItem> Items);

public sealed record ChecklistView(string ApplicationId, string State, string Product, string GuaranteeType, bool Enforced, bool Complete, IReadOnlyList<ChecklistStageView> Stages);
