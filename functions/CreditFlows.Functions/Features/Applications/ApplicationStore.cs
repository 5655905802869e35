using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// An application as stored, with the storage ETag of its state row; <paramref name="FromCache"/> when it came
/// from this process's <see cref="ApplicationStateCache"/> and may be out of date.
/// </summary>
public sealed record StoredApplication(LoanApplication Application, ETag ETag, bool FromCache = false);

/// <summary>The first answer to a command sent with an Idempotency-Key, kept to answer repeats.</summary>
public sealed record StoredResult(int Status, string Body, string RequestHash, int Version);

/// <summary>One event of an application's log, as the history shows it.</summary>
public sealed record ApplicationEvent(
    int Sequence,
    string Command,
    string ActorId,
    string ActorName,
    string Role,
    DateTimeOffset At,
    ApplicationState From,
    ApplicationState To,
    string? Comment,
    string? MatrixVersion,
    JsonElement Detail);

/// <summary>
/// Table <c>Applications</c>, one partition per application: row <c>state</c> (the current application, with
/// the columns lists and task queries filter on), rows <c>event-{sequence}</c> (the append-only log, each with
/// the effects its transition asked for, which the loan orchestration carries out), <c>idem-{hash}</c> rows and
/// the <c>handoff</c> claim. A transition is one entity-group transaction: the state row replaced on its ETag (or
/// added), the event added, and the idempotency record added. Any conflict fails the whole transaction, so a
/// transition is stored exactly once or not at all.
/// </summary>
public sealed class ApplicationStore(TableServiceClient tables, ApplicationStateCache cache)
{
    public const string StateRow = "state";
    public const string EventPrefix = "event-";
    public const string IdempotencyPrefix = "idem-";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.Applications);

    public async Task<StoredApplication?> FindAsync(string id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(id, StateRow, cancellationToken: cancellationToken);
        if (!row.HasValue)
        {
            return null;
        }

        var document = TableText.Read(row.Value!, "Doc")!;
        cache.Put(id, document, row.Value!.ETag);
        return new StoredApplication(FromDocument(document), row.Value!.ETag);
    }

    /// <summary>
    /// For a command about to write: the cached state row when this process has one (it may be stale, which the
    /// write's ETag check catches), else a read.
    /// </summary>
    public async Task<StoredApplication?> FindForUpdateAsync(string id, CancellationToken cancellationToken) =>
        cache.TryGet(id, out var document, out var etag)
            ? new StoredApplication(FromDocument(document), etag, FromCache: true)
            : await FindAsync(id, cancellationToken);

    public async Task<StoredResult?> FindResultAsync(string id, string idempotencyRow, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(id, idempotencyRow, cancellationToken: cancellationToken);
        return row.HasValue ? ToResult(row.Value!) : null;
    }

    /// <summary>
    /// Stores a transition atomically. <paramref name="expected"/> is the state row's ETag as loaded, or null
    /// for a new application. Throws <see cref="RequestFailedException"/> 412 (changed meanwhile) or 409 (exists
    /// already) on a conflict.
    /// </summary>
    public async Task CommitAsync(
        LoanApplication application,
        ETag? expected,
        Transition transition,
        (string Row, StoredResult Result)? idempotency,
        WorkflowPolicy policy,
        CancellationToken cancellationToken)
    {
        var (state, document) = ToEntity(application, policy);
        var actions = new List<TableTransactionAction>
        {
            expected is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, state, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, state),
            new(TableTransactionActionType.Add, ToEntity(application.Id, transition)),
        };

        if (idempotency is { } idem)
        {
            var row = new TableEntity(application.Id, idem.Row)
            {
                ["Status"] = idem.Result.Status,
                ["RequestHash"] = idem.Result.RequestHash,
                ["Sequence"] = idem.Result.Version,
            };
            TableText.Write(row, "Body", idem.Result.Body);
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
        }

        try
        {
            var response = await Table.SubmitTransactionAsync(actions, cancellationToken);
            cache.Put(application.Id, document, response.Value[0].Headers.ETag);
        }
        catch (RequestFailedException)
        {
            cache.Forget(application.Id);
            throw;
        }
    }

    /// <summary>The events after <paramref name="after"/>, oldest first, with the effects their transitions asked for.</summary>
    public async Task<IReadOnlyList<Workflow.LoanEventEffects>> EffectsSinceAsync(string id, int after, CancellationToken cancellationToken)
    {
        var events = new List<Workflow.LoanEventEffects>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey gt {$"{EventPrefix}{after:D6}"} and RowKey lt {"event."}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            var json = TableText.Read(row, "Effects");
            var effects = json is { Length: > 0 } ? JsonSerializer.Deserialize<List<Workflow.LoanEffect>>(json, Json)! : [];
            events.Add(new Workflow.LoanEventEffects(row.GetInt32("Sequence") ?? 0, row.GetString("Command") ?? string.Empty, effects, Legacy: json is null));
        }

        return [.. events.OrderBy(e => e.Sequence)];
    }

    /// <summary>When event <paramref name="sequence"/> of the log was stored, or null if there is no such event.</summary>
    public async Task<DateTimeOffset?> EventAtAsync(string id, int sequence, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(id, $"{EventPrefix}{sequence:D6}", select: ["At"], cancellationToken: cancellationToken);
        return row.HasValue ? row.Value!.GetDateTimeOffset("At") : null;
    }

    public async Task<IReadOnlyList<ApplicationEvent>> HistoryAsync(string id, CancellationToken cancellationToken)
    {
        var events = new List<ApplicationEvent>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id} and RowKey ge {EventPrefix} and RowKey lt {"event."}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            events.Add(new ApplicationEvent(
                row.GetInt32("Sequence") ?? 0,
                row.GetString("Command") ?? string.Empty,
                row.GetString("ActorId") ?? string.Empty,
                row.GetString("ActorName") ?? string.Empty,
                row.GetString("Role") ?? string.Empty,
                row.GetDateTimeOffset("At") ?? default,
                Enum.Parse<ApplicationState>(row.GetString("From")!),
                Enum.Parse<ApplicationState>(row.GetString("To")!),
                row.GetString("Comment"),
                row.GetString("MatrixVersion"),
                JsonDocument.Parse(TableText.Read(row, "Detail") ?? "{}").RootElement.Clone()));
        }

        return events;
    }

    /// <summary>One page of state rows matching the filters, and the token for the next page (null at the end).</summary>
    public async Task<(IReadOnlyList<LoanApplication> Items, string? Continuation)> ListAsync(
        BranchId? branch, ApplicationState? state, string? officerId, int pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {StateRow}");
        if (branch is { } b)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Branch eq {b.Value}");
        }

        if (state is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"State eq {s.ToString()}");
        }

        if (officerId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"OfficerId eq {officerId}");
        }

        await foreach (var page in Table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken).AsPages(continuation, pageSize))
        {
            return (page.Values.Select(ToApplication).ToList(), page.ContinuationToken);
        }

        return ([], null);
    }

    /// <summary>Every application that waits for someone (optionally in one branch).</summary>
    public async IAsyncEnumerable<LoanApplication> WaitingAsync(BranchId? branch, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {StateRow} and AwaitingRole gt {""}");
        if (branch is { } b)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Branch eq {b.Value}");
        }

        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            yield return ToApplication(row);
        }
    }

    private static (TableEntity Row, string Document) ToEntity(LoanApplication application, WorkflowPolicy policy)
    {
        var awaiting = application.Awaiting(policy);
        var entity = new TableEntity(application.Id, StateRow)
        {
            ["State"] = application.State.ToString(),
            ["Branch"] = application.Branch.Value,
            ["OfficerId"] = application.OfficerId,
            ["Version"] = application.Version,
            ["Product"] = application.Product.ToString(),
            ["GuaranteeType"] = application.GuaranteeType.ToString(),
            ["AmountFen"] = application.Terms.Amount.Fen,
            ["BorrowerName"] = application.Borrower.Name,
            ["CreatedAt"] = application.CreatedAt,
            ["LastActionAt"] = application.LastActionAt,
            ["AwaitingRole"] = awaiting?.Role.ToString() ?? string.Empty,
            ["AwaitingUserId"] = awaiting?.UserId ?? string.Empty,
            ["DueAt"] = awaiting?.DueAt,
        };
        var document = JsonSerializer.Serialize(application, Json);
        TableText.Write(entity, "Doc", document);
        return (entity, document);
    }

    private static LoanApplication ToApplication(TableEntity row) => FromDocument(TableText.Read(row, "Doc")!);

    private static LoanApplication FromDocument(string document) => JsonSerializer.Deserialize<LoanApplication>(document, Json)!;

    private static TableEntity ToEntity(string id, Transition t)
    {
        var entity = new TableEntity(id, $"{EventPrefix}{t.Sequence:D6}")
        {
            ["Sequence"] = t.Sequence,
            ["Command"] = t.Command,
            ["ActorId"] = t.ActorId,
            ["ActorName"] = t.ActorName,
            ["Role"] = t.ActingRole,
            ["At"] = t.At,
            ["From"] = t.From.ToString(),
            ["To"] = t.To.ToString(),
            ["Comment"] = t.Comment,
            ["MatrixVersion"] = t.Detail.TryGetValue("matrixVersion", out var v) ? v as string : null,
        };
        TableText.Write(entity, "Detail", JsonSerializer.Serialize(t.Detail, Json));
        // Always written, "[]" included: an event without the column was stored before the orchestrations (see EffectsSinceAsync).
        TableText.Write(entity, "Effects", JsonSerializer.Serialize(t.Effects.Select(Workflow.LoanEffect.From).ToList(), Json));

        return entity;
    }

    private static StoredResult ToResult(TableEntity row) =>
        new(row.GetInt32("Status") ?? 200, TableText.Read(row, "Body") ?? "{}", row.GetString("RequestHash") ?? string.Empty, row.GetInt32("Sequence") ?? 0);
}
