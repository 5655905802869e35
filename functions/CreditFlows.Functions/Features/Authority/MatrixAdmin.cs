using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Branches;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>A matrix version as the API shows it: its maker-checker record and its rules.</summary>
public sealed record MatrixVersionView(SettingsVersion Version, IReadOnlyList<RuleDocument> Rules);

/// <summary>The exported (and importable) JSON of a version.</summary>
public sealed record MatrixExport(string Version, DateOnly? EffectiveFrom, string? Note, IReadOnlyList<RuleDocument> Rules);

/// <summary>
/// HQ's administration of the authority matrix: drafts made, edited and submitted by their maker, approved or
/// rejected by a different HqAdmin, in force from their effective date. Every write validates the whole matrix
/// (<see cref="MatrixValidation"/>) and is conditional on the row's ETag; a refusal writes nothing.
/// </summary>
public sealed partial class MatrixAdmin(MatrixStore matrices, BranchStore branches, BusinessClock clock, ILogger<MatrixAdmin> logger)
{
    public const string Kind = "matrix";

    private VersionStore Versions => matrices.Versions;

    /// <summary>
    /// Makes a draft from <paramref name="document"/>, or a copy of <paramref name="basedOn"/>. With an
    /// Idempotency-Key the id comes from the key, so a repeat finds the draft made the first time (replayed).
    /// </summary>
    public async Task<(StoredVersion Draft, bool Replayed)> CreateAsync(
        CreditUser maker, MatrixDocument? document, DateOnly? effectiveFrom, string? note, string? basedOn, string source, string? keyHash, CancellationToken cancellationToken)
    {
        if (document?.Rules is null)
        {
            if (basedOn is null)
            {
                throw SettingsRefusal.Invalid("rules", "Send the rules, or basedOn naming a version to copy.");
            }

            var original = await Versions.FindAsync(basedOn, cancellationToken) ?? throw SettingsRefusal.Invalid("basedOn", $"There is no version '{basedOn}'.");
            document = MatrixDocuments.From(Read(original));
        }

        var id = keyHash is null ? NewId() : $"AM-K{keyHash[..12].ToUpperInvariant()}";
        if (keyHash is not null && await Versions.FindAsync(id, cancellationToken) is { } earlier)
        {
            return earlier.Info.CreatedBy == maker.Id ? (earlier, true) : throw SettingsRefusal.Conflict("This Idempotency-Key was used for another draft.");
        }

        var info = MakerChecker.NewDraft(id, Kind, maker, effectiveFrom, note, basedOn, source, clock.Today, clock.Now);
        var matrix = await ValidateAsync(document, id, cancellationToken);
        var content = JsonSerializer.Serialize(matrix, ApplicationStore.Json);
        try
        {
            await Versions.AddAsync(info, content, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409 && keyHash is not null)
        {
            return ((await Versions.FindAsync(id, cancellationToken))!, true);
        }

        LogVersion(logger, id, "drafted", maker.Id);
        return ((await Versions.FindAsync(id, cancellationToken))!, false);
    }

    /// <summary>Replaces a draft's rules (when sent), effective date and note. <paramref name="revision"/> is If-Match.</summary>
    public async Task<StoredVersion> EditAsync(string id, CreditUser maker, int? revision, MatrixDocument? document, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        if (revision is { } expected && expected != stored.Info.Revision)
        {
            throw SettingsRefusal.Conflict($"If-Match names revision {expected}; version {id} is at revision {stored.Info.Revision}. Read it again.");
        }

        var edited = MakerChecker.Edit(stored.Info, maker, effectiveFrom, note, clock.Today);
        var matrix = document?.Rules is null ? Read(stored) : await ValidateAsync(document, id, cancellationToken);
        await WriteAsync(edited, matrix, stored.ETag, cancellationToken);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> SubmitAsync(string id, CreditUser maker, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        var submitted = MakerChecker.Submit(stored.Info, maker, clock.Today, clock.Now);
        var matrix = await ValidateAsync(MatrixDocuments.From(Read(stored)), id, cancellationToken);
        await WriteAsync(submitted, matrix, stored.ETag, cancellationToken);
        LogVersion(logger, id, "submitted", maker.Id);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    /// <summary>
    /// Approves a submitted version: the record and its effective row in one transaction on the record's ETag, so
    /// of two checkers racing only one succeeds, and no two versions take effect on the same day.
    /// </summary>
    public async Task<StoredVersion> ApproveAsync(string id, CreditUser checker, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        var approved = MakerChecker.Approve(stored.Info, checker, clock.Today, clock.Now);
        var matrix = await ValidateAsync(MatrixDocuments.From(Read(stored)), id, cancellationToken);
        await Versions.ApproveOrExplainAsync(approved, JsonSerializer.Serialize(matrix, ApplicationStore.Json), stored.ETag, cancellationToken);

        LogVersion(logger, id, $"approved, in force from {approved.EffectiveFrom:yyyy-MM-dd}", checker.Id);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> RejectAsync(string id, CreditUser checker, string? comment, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        var rejected = MakerChecker.Reject(stored.Info, checker, comment, clock.Now);
        await WriteAsync(rejected, Read(stored), stored.ETag, cancellationToken);
        LogVersion(logger, id, "rejected", checker.Id);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> FindAsync(string id, CancellationToken cancellationToken) =>
        await Versions.FindAsync(id, cancellationToken) ?? throw new VersionNotFoundException(id);

    public static AuthorityMatrix Read(StoredVersion stored) => JsonSerializer.Deserialize<AuthorityMatrix>(stored.Content, ApplicationStore.Json)!;

    public static MatrixVersionView View(StoredVersion stored) => new(stored.Info, MatrixDocuments.From(Read(stored)).Rules!);

    /// <summary>Validates against the branches the union has; refuses with every problem, each naming its rule and band.</summary>
    public async Task<AuthorityMatrix> ValidateAsync(MatrixDocument document, string id, CancellationToken cancellationToken)
    {
        var known = (await branches.ListAsync(cancellationToken)).Select(b => b.Id).ToHashSet();
        var (matrix, problems) = MatrixValidation.Validate(document, id, known.Count > 0 ? known : null);
        return matrix ?? throw SettingsRefusal.Invalid(problems);
    }

    private async Task WriteAsync(SettingsVersion info, AuthorityMatrix matrix, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await Versions.ReplaceAsync(info, JsonSerializer.Serialize(matrix, ApplicationStore.Json), etag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw SettingsRefusal.Conflict($"Version {info.Id} changed meanwhile; nothing was written for yours. Read it again.");
        }
    }

    /// <summary>Ids read like AM-20260801-7K3Q: the business date it was made, then six random characters.</summary>
    private string NewId()
    {
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
        var suffix = string.Create(6, 0, (span, _) =>
        {
            for (var n = 0; n < span.Length; n++)
            {
                span[n] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
        return $"AM-{clock.Today:yyyyMMdd}-{suffix}";
    }

    [LoggerMessage(LogLevel.Information, "Authority matrix version {Id} {What} by {Actor}")]
    private static partial void LogVersion(ILogger logger, string id, string what, string actor);
}

public sealed class VersionNotFoundException(string id) : Exception($"There is no version '{id}'.")
{
    public string Id { get; } = id;
}
