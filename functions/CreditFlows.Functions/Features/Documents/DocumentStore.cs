using System.Globalization;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>One stored document (one version of a type), as listed.</summary>
public sealed record DocumentRecord(
    string Id,
    string ApplicationId,
    string Branch,
    DocumentType Type,
    int Version,
    int? CollateralItem,
    string? Note,
    string FileName,
    FileKind Kind,
    string ContentType,
    long Size,
    string Sha256,
    string BlobName,
    string UploadedBy,
    string UploadedByName,
    DateTimeOffset UploadedAt)
{
    public bool Latest { get; init; }
}

/// <summary>One entry of a credit file's access log: an upload, a download or a delete.</summary>
public sealed record DocumentAuditEntry(string Action, string DocumentId, DocumentType Type, int Version, string ActorId, string ActorName, DateTimeOffset At);

/// <summary>An earlier answer to an upload sent with the same Idempotency-Key.</summary>
public sealed record StoredUpload(string RequestHash, string DocumentId);

/// <summary>
/// Table <c>Documents</c>, one partition per application: <c>doc-{id}</c> rows (the index: what each blob is),
/// <c>ver-{type}-{version}</c> rows (one per version of a type; adding one is how a version number is claimed,
/// so two uploads can never take the same one), <c>audit-{ticks}-{random}</c> rows (the append-only access log:
/// uploads, downloads, deletes; never updated or deleted), <c>idem-{hash}</c> rows (Idempotency-Key answers) and
/// <c>session-{id}</c> rows (upload sessions: a file uploaded straight to storage, completed by the document of the
/// same id).
/// An upload's rows go in one entity-group transaction, so the index, the version and the audit entry are stored
/// together or not at all.
/// </summary>
public sealed class DocumentStore(TableServiceClient tables)
{
    private const string DocPrefix = "doc-";
    private const string AuditPrefix = "audit-";
    private const string SessionPrefix = "session-";

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.Documents);

    /// <summary>The application's documents (deleted ones left out), oldest first, each marked whether it is its type's latest version.</summary>
    public async Task<IReadOnlyList<DocumentRecord>> ListAsync(string applicationId, CancellationToken cancellationToken)
    {
        var rows = new List<DocumentRecord>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {applicationId} and RowKey ge {DocPrefix} and RowKey lt {"doc."} and Deleted eq false");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(ToRecord(row));
        }

        var latest = rows.GroupBy(r => r.Type).ToDictionary(g => g.Key, g => g.Max(r => r.Version));
        return rows.Select(r => r with { Latest = latest[r.Type] == r.Version }).OrderBy(r => r.UploadedAt).ThenBy(r => r.Type).ThenBy(r => r.Version).ToList();
    }

    /// <summary>Every document id the application's index names, with whether it was deleted (for the orphan sweep).</summary>
    public async Task<IReadOnlyDictionary<string, bool>> IndexedAsync(string applicationId, CancellationToken cancellationToken)
    {
        var indexed = new Dictionary<string, bool>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {applicationId} and RowKey ge {DocPrefix} and RowKey lt {"doc."}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Deleted"], cancellationToken: cancellationToken))
        {
            indexed[row.RowKey[DocPrefix.Length..]] = row.GetBoolean("Deleted") == true;
        }

        return indexed;
    }

    /// <summary>A document and its row's ETag, deleted or not.</summary>
    public async Task<(DocumentRecord Record, bool Deleted, ETag ETag)?> FindAsync(string applicationId, string documentId, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(applicationId, DocPrefix + documentId, cancellationToken: cancellationToken);
        return row.HasValue ? (ToRecord(row.Value!), row.Value!.GetBoolean("Deleted") == true, row.Value!.ETag) : null;
    }

    /// <summary>The highest version of a type stored so far (0 for none), deleted versions included: numbers are never reused.</summary>
    public async Task<int> LatestVersionAsync(string applicationId, DocumentType type, CancellationToken cancellationToken)
    {
        var prefix = $"ver-{type}-";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {applicationId} and RowKey ge {prefix} and RowKey lt {$"ver-{type}."}");
        var latest = 0;
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            latest = Math.Max(latest, int.Parse(row.RowKey.AsSpan(prefix.Length), CultureInfo.InvariantCulture));
        }

        return latest;
    }

    public async Task<StoredUpload?> FindUploadAsync(string applicationId, string idempotencyHash, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(applicationId, "idem-" + idempotencyHash, cancellationToken: cancellationToken);
        return row.HasValue ? new StoredUpload(row.Value!.GetString("RequestHash") ?? "", row.Value!.GetString("DocumentId") ?? "") : null;
    }

    /// <summary>
    /// Stores a new document at <paramref name="record"/>'s version in one transaction: the version claim, the index
    /// row, the audit entry and, with an Idempotency-Key, the key's record; with <paramref name="completes"/>, the
    /// upload session it completes is marked completed on its ETag. Throws <see cref="RequestFailedException"/> 409
    /// when that version (or the key) was taken meanwhile, or the session changed.
    /// </summary>
    public async Task AddAsync(DocumentRecord record, (string Hash, string RequestHash)? idempotency, CancellationToken cancellationToken, ETag? completes = null)
    {
        var id = record.ApplicationId;
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(id, $"ver-{record.Type}-{record.Version:D6}") { ["DocumentId"] = record.Id }),
            new(TableTransactionActionType.Add, ToEntity(record)),
            new(TableTransactionActionType.Add, AuditRow(id, "Upload", record, record.UploadedBy, record.UploadedByName, record.UploadedAt)),
        };
        if (idempotency is { } key)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(id, "idem-" + key.Hash) { ["RequestHash"] = key.RequestHash, ["DocumentId"] = record.Id }));
        }

        if (completes is { } sessionETag)
        {
            actions.Add(new(TableTransactionActionType.UpdateMerge, new TableEntity(id, SessionPrefix + record.Id) { ["Completed"] = true, ["CompletedAt"] = record.UploadedAt }, sessionETag));
        }

        await Table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>Opens an upload session (and, with an Idempotency-Key, records the key's answer) in one transaction. 409 when the key was used meanwhile.</summary>
    public async Task AddSessionAsync(UploadSession session, (string Hash, string RequestHash)? idempotency, CancellationToken cancellationToken)
    {
        var row = new TableEntity(session.ApplicationId, SessionPrefix + session.Id)
        {
            ["Branch"] = session.Branch,
            ["Type"] = session.Type.ToString(),
            ["Size"] = session.Size,
            ["Sha256"] = session.Sha256,
            ["CollateralItem"] = session.CollateralItem,
            ["Note"] = session.Note,
            ["FileName"] = session.FileName,
            ["BlobName"] = session.BlobName,
            ["CreatedBy"] = session.CreatedBy,
            ["CreatedByName"] = session.CreatedByName,
            ["CreatedAt"] = session.CreatedAt,
            ["ExpiresAt"] = session.ExpiresAt,
            ["Completed"] = false,
        };
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, WithoutNulls(row)) };
        if (idempotency is { } key)
        {
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(session.ApplicationId, "idem-" + key.Hash) { ["RequestHash"] = key.RequestHash, ["DocumentId"] = session.Id }));
        }

        await Table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>An upload session and its row's ETag, or null.</summary>
    public async Task<(UploadSession Session, ETag ETag)?> FindSessionAsync(string applicationId, string sessionId, CancellationToken cancellationToken)
    {
        var found = await Table.GetEntityIfExistsAsync<TableEntity>(applicationId, SessionPrefix + sessionId, cancellationToken: cancellationToken);
        if (!found.HasValue)
        {
            return null;
        }

        var row = found.Value!;
        return (new UploadSession(
            row.RowKey[SessionPrefix.Length..],
            row.PartitionKey,
            row.GetString("Branch")!,
            Enum.Parse<DocumentType>(row.GetString("Type")!),
            row.GetInt64("Size") ?? 0,
            row.GetString("Sha256")!,
            row.GetInt32("CollateralItem"),
            row.GetString("Note"),
            row.GetString("FileName"),
            row.GetString("BlobName")!,
            row.GetString("CreatedBy")!,
            row.GetString("CreatedByName") ?? "",
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetDateTimeOffset("ExpiresAt") ?? default,
            row.GetBoolean("Completed") == true), row.ETag);
    }

    public async Task RecordDownloadAsync(DocumentRecord record, string actorId, string actorName, DateTimeOffset at, CancellationToken cancellationToken) =>
        await Table.AddEntityAsync(AuditRow(record.ApplicationId, "Download", record, actorId, actorName, at), cancellationToken);

    /// <summary>Marks the document deleted (on its ETag) and records who deleted it, in one transaction.</summary>
    public async Task MarkDeletedAsync(DocumentRecord record, ETag etag, string actorId, string actorName, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var row = new TableEntity(record.ApplicationId, DocPrefix + record.Id) { ["Deleted"] = true, ["DeletedBy"] = actorId, ["DeletedAt"] = at };
        await Table.SubmitTransactionAsync(
        [
            new(TableTransactionActionType.UpdateMerge, row, etag),
            new(TableTransactionActionType.Add, AuditRow(record.ApplicationId, "Delete", record, actorId, actorName, at)),
        ], cancellationToken);
    }

    /// <summary>The access log, oldest first.</summary>
    public async Task<IReadOnlyList<DocumentAuditEntry>> AuditAsync(string applicationId, CancellationToken cancellationToken)
    {
        var entries = new List<DocumentAuditEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {applicationId} and RowKey ge {AuditPrefix} and RowKey lt {"audit."}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            entries.Add(new DocumentAuditEntry(row.GetString("Action")!, row.GetString("DocumentId")!, Enum.Parse<DocumentType>(row.GetString("Type")!),
                row.GetInt32("Version") ?? 0, row.GetString("ActorId")!, row.GetString("ActorName") ?? "", row.GetDateTimeOffset("At") ?? default));
        }

        return entries;
    }

    private static TableEntity AuditRow(string applicationId, string action, DocumentRecord record, string actorId, string actorName, DateTimeOffset at) =>
        new(applicationId, $"{AuditPrefix}{at.UtcTicks:D19}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}")
        {
            ["Action"] = action,
            ["DocumentId"] = record.Id,
            ["Type"] = record.Type.ToString(),
            ["Version"] = record.Version,
            ["Sha256"] = record.Sha256,
            ["ActorId"] = actorId,
            ["ActorName"] = actorName,
            ["At"] = at,
        };

    private static TableEntity ToEntity(DocumentRecord r)
    {
        var row = new TableEntity(r.ApplicationId, DocPrefix + r.Id)
        {
        ["Branch"] = r.Branch,
        ["Type"] = r.Type.ToString(),
        ["Version"] = r.Version,
        ["CollateralItem"] = r.CollateralItem,
        ["Note"] = r.Note,
        ["FileName"] = r.FileName,
        ["Kind"] = r.Kind.ToString(),
        ["ContentType"] = r.ContentType,
        ["Size"] = r.Size,
        ["Sha256"] = r.Sha256,
        ["BlobName"] = r.BlobName,
        ["UploadedBy"] = r.UploadedBy,
        ["UploadedByName"] = r.UploadedByName,
        ["UploadedAt"] = r.UploadedAt,
        ["Deleted"] = false,
        };
        return WithoutNulls(row);
    }

    /// <summary>Leaves out the properties without a value (a table entity cannot store a null).</summary>
    private static TableEntity WithoutNulls(TableEntity row)
    {
        foreach (var empty in row.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            row.Remove(empty);
        }

        return row;
    }

    private static DocumentRecord ToRecord(TableEntity row) => new(
        row.RowKey[DocPrefix.Length..],
        row.PartitionKey,
        row.GetString("Branch")!,
        Enum.Parse<DocumentType>(row.GetString("Type")!),
        row.GetInt32("Version") ?? 0,
        row.GetInt32("CollateralItem"),
        row.GetString("Note"),
        row.GetString("FileName")!,
        Enum.Parse<FileKind>(row.GetString("Kind")!),
        row.GetString("ContentType")!,
        row.GetInt64("Size") ?? 0,
        row.GetString("Sha256")!,
        row.GetString("BlobName")!,
        row.GetString("UploadedBy")!,
        row.GetString("UploadedByName") ?? "",
        row.GetDateTimeOffset("UploadedAt") ?? default);
}
