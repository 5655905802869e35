using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

public enum OutcomeKind
{
    Done = 1,
    NotFound = 2,

    /// <summary>Another command changed the application first (409, with its current state).</summary>
    Conflict = 3,

    /// <summary>If-Match named an older version (412).</summary>
    StaleVersion = 4,

    /// <summary>The Idempotency-Key was used before for a different request (422).</summary>
    KeyReused = 5,
}

/// <summary>
/// How a command ended: for <see cref="OutcomeKind.Done"/> the status, JSON body, application id and version to
/// answer (a repeat answers the first ones).
/// </summary>
public sealed record CommandOutcome(OutcomeKind Kind, int Status = 200, string Body = "", LoanApplication? Current = null, bool Replayed = false, string? Id = null, int Version = 0)
{
    public static CommandOutcome Replay(string id, StoredResult stored) => new(OutcomeKind.Done, stored.Status, stored.Body, Replayed: true, Id: id, Version: stored.Version);
}

/// <summary>An Idempotency-Key as sent, scoped to the caller.</summary>
public sealed record IdempotencyKey(string CallerId, string Key)
{
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{CallerId}\n{Key}")))[..40];
}

/// <summary>
/// Runs workflow commands: load the application, check Idempotency-Key and If-Match, let the domain decide,
/// store the transition (its event carries the effects) in one transaction on the state row's ETag, then signal
/// the application's orchestration, which carries the effects out. Refusals (<see cref="WorkflowRefusal"/>) pass through to the caller, nothing written.
/// </summary>
public sealed partial class WorkflowService(
    ApplicationStore store,
    MatrixStore matrices,
    TableServiceClient tables,
    Authority.WorkflowPolicySource policies,
    BusinessClock clock,
    Documents.DocumentChecklistGate checklist,
    Workflow.WorkflowSignals signals,
    ILogger<WorkflowService> logger)
{
    /// <summary>The policy in force, as last read (each command reads it first: HQ may change it, see <see cref="Authority.WorkflowPolicySource"/>).</summary>
    public WorkflowPolicy Policy => policies.Current;

    public static string RequestHash(string command, string body) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{command}\n{body}")));

    /// <summary>
    /// Opens an application. With an Idempotency-Key the new id is first reserved under the key (table
    /// <c>Idempotency</c>), so a repeat, even one racing the first, lands on the same id and answers its result.
    /// </summary>
    public async Task<CommandOutcome> OpenAsync(CreditUser actor, OpenApplication request, IdempotencyKey? key, string requestHash, CancellationToken cancellationToken)
    {
        var policy = await policies.GetAsync(cancellationToken);
        var id = NewId();
        if (key is not null)
        {
            var reservations = tables.GetTableClient(StorageNames.Tables.Idempotency);
            var reservation = new TableEntity("open", key.Hash) { ["ApplicationId"] = id, ["RequestHash"] = requestHash };
            try
            {
                await reservations.AddEntityAsync(reservation, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                var existing = (await reservations.GetEntityAsync<TableEntity>("open", key.Hash, cancellationToken: cancellationToken)).Value;
                if (existing.GetString("RequestHash") != requestHash)
                {
                    return new CommandOutcome(OutcomeKind.KeyReused);
                }

                id = existing.GetString("ApplicationId")!;
                if (await store.FindResultAsync(id, IdempotencyRow(key), cancellationToken) is { } stored)
                {
                    await signals.StartedAsync(id, cancellationToken); // the first attempt may have stopped before starting it
                    return CommandOutcome.Replay(id, stored);
                }

                // Reserved by an attempt that stopped before creating: carry on with its id.
            }
        }

        var now = clock.Now;
        var (application, opened) = LoanApplication.Open(id, actor, request, now, policy);
        var body = View(application);
        try
        {
            await store.CommitAsync(application, expected: null, opened,
                key is null ? null : (IdempotencyRow(key), new StoredResult(201, body, requestHash, application.Version)), policy, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && key is not null)
        {
            // The racing first attempt created it.
            var stored = await store.FindResultAsync(id, IdempotencyRow(key), cancellationToken);
            return stored is null ? new CommandOutcome(OutcomeKind.Conflict) : CommandOutcome.Replay(id, stored);
        }

        await signals.StartedAsync(id, cancellationToken);
        LogTransition(logger, id, opened.Command, opened.From, opened.To, actor.Id);
        return new CommandOutcome(OutcomeKind.Done, 201, body, Id: id, Version: application.Version);
    }

    /// <summary>
    /// Runs one command on application <paramref name="id"/>. The first attempt works on the state row this
    /// process cached (<see cref="ApplicationStateCache"/>), which saves a read; if that turns out stale (the
    /// write fails on its ETag, or the cached state refuses the command or the If-Match), the command runs once
    /// more on a fresh read, and only that attempt's answer counts.
    /// </summary>
    public async Task<CommandOutcome> ExecuteAsync(
        string id,
        string command,
        CreditUser actor,
        IdempotencyKey? key,
        string requestHash,
        int? ifMatchVersion,
        Func<LoanApplication, AuthorityMatrix?, DateTimeOffset, Transition> apply,
        bool needsMatrix,
        CancellationToken cancellationToken)
    {
        var policy = await policies.GetAsync(cancellationToken);
        var outcome = await AttemptAsync(await store.FindForUpdateAsync(id, cancellationToken));
        return outcome ?? await AttemptAsync(await store.FindAsync(id, cancellationToken))
            ?? throw new InvalidOperationException("A command on a fresh read always has an outcome.");

        // Null: the cached state was stale, try again on a fresh read.
        async Task<CommandOutcome?> AttemptAsync(StoredApplication? loaded)
        {
            // No read of the idempotency row up front: the transaction adds it, so a repeat can never be stored
            // twice (its add fails), and only a command that fails or is refused looks for an earlier answer.
            if (loaded is null)
            {
                return new CommandOutcome(OutcomeKind.NotFound);
            }

            var application = loaded.Application;
            if (!actor.CanAccess(application.Branch))
            {
                throw WorkflowRefusal.NotPermitted($"Application {id} belongs to branch {application.Branch}, outside your branch scope.");
            }

            if (ifMatchVersion is { } expectedVersion && expectedVersion != application.Version)
            {
                return await EarlierAnswerAsync(id, key, requestHash, cancellationToken)
                    ?? (loaded.FromCache ? null : new CommandOutcome(OutcomeKind.StaleVersion, Current: application));
            }

            AuthorityMatrix? matrix = null;
            if (needsMatrix)
            {
                matrix = application.MatrixVersion is { } kept
                    ? await matrices.GetAsync(kept, cancellationToken)
                    : await matrices.GetActiveAsync(cancellationToken);
            }

            Transition transition;
            try
            {
                transition = apply(application, matrix, clock.Now);
                await checklist.RequireAsync(application, transition, cancellationToken); // credit file checklist: refuses, naming what is missing
            }
            catch (WorkflowRefusal) when (key is not null || loaded.FromCache)
            {
                // A retry of a command that was stored finds the state moved on because of it: answer as the first time.
                if (await EarlierAnswerAsync(id, key, requestHash, cancellationToken) is { } earlier)
                {
                    return earlier;
                }

                if (loaded.FromCache)
                {
                    return null;
                }

                throw;
            }

            var body = View(application);
            try
            {
                await store.CommitAsync(application, loaded.ETag, transition,
                    key is null ? null : (IdempotencyRow(key), new StoredResult(200, body, requestHash, application.Version)), policy, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 409)
            {
                // Someone else's transition (or this same request, repeated) got there first.
                if (await EarlierAnswerAsync(id, key, requestHash, cancellationToken) is { } earlier)
                {
                    return earlier;
                }

                if (loaded.FromCache)
                {
                    return null;
                }

                var current = await store.FindAsync(id, cancellationToken);
                LogConflict(logger, id, command, actor.Id, current?.Application.State);
                return new CommandOutcome(OutcomeKind.Conflict, Current: current?.Application);
            }

            await signals.ChangedAsync(id, application.Version, cancellationToken);
            LogTransition(logger, id, transition.Command, transition.From, transition.To, actor.Id);
            return new CommandOutcome(OutcomeKind.Done, 200, body, Id: id, Version: application.Version);
        }
    }

    /// <summary>
    /// A durable timer is due (the loan orchestration's activity). Does nothing when the application moved on;
    /// otherwise stores the reminder, escalation or expiry, whose effects the orchestration then reads from the
    /// log. A concurrent change makes this throw, and the orchestration's retry runs it again.
    /// </summary>
    public async Task<string> FireTimerAsync(TimerMessage timer, CancellationToken cancellationToken)
    {
        var policy = await policies.GetAsync(cancellationToken);
        if (await store.FindAsync(timer.ApplicationId, cancellationToken) is not { } loaded)
        {
            return $"Application {timer.ApplicationId} does not exist; timer ignored.";
        }

        var application = loaded.Application;
        var transition = application.OnTimer(timer.Kind, timer.Version, clock.Now, policy);
        if (transition is null)
        {
            return $"{timer.Kind} for version {timer.Version} of {timer.ApplicationId}: nothing to do (now {application.State}, version {application.Version}).";
        }

        await store.CommitAsync(application, loaded.ETag, transition, null, policy, cancellationToken);
        LogTransition(logger, application.Id, transition.Command, transition.From, transition.To, LoanApplication.SystemActor);
        return $"{transition.Command} stored for {timer.ApplicationId} (event {transition.Sequence}).";
    }

    /// <summary>The stored answer to an earlier request with this key: replayed if it was this request, 422 if another.</summary>
    private async Task<CommandOutcome?> EarlierAnswerAsync(string id, IdempotencyKey? key, string requestHash, CancellationToken cancellationToken)
    {
        if (key is null || await store.FindResultAsync(id, IdempotencyRow(key), cancellationToken) is not { } stored)
        {
            return null;
        }

        if (stored.RequestHash != requestHash)
        {
            return new CommandOutcome(OutcomeKind.KeyReused);
        }

        await signals.ChangedAsync(id, stored.Version, cancellationToken); // the first attempt may have stopped before signalling
        return CommandOutcome.Replay(id, stored);
    }

    public string View(LoanApplication application) => JsonSerializer.Serialize(ApplicationView.From(application, Policy), ApplicationStore.Json);

    private static string IdempotencyRow(IdempotencyKey key) => ApplicationStore.IdempotencyPrefix + key.Hash;

    /// <summary>Ids read like LA-20261122-7K3QX9: the business date, then six random characters.</summary>
    private string NewId()
    {
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        Span<char> suffix = stackalloc char[6];
        for (var n = 0; n < suffix.Length; n++)
        {
            suffix[n] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        return $"LA-{clock.Today:yyyyMMdd}-{suffix}";
    }

    [LoggerMessage(LogLevel.Information, "Application {Id}: {Command} {From} → {To} by {Actor}")]
    private static partial void LogTransition(ILogger logger, string id, string command, ApplicationState from, ApplicationState to, string actor);

    [LoggerMessage(LogLevel.Information, "Application {Id}: {Command} by {Actor} lost a race; now {State}")]
    private static partial void LogConflict(ILogger logger, string id, string command, string actor, ApplicationState? state);
}
