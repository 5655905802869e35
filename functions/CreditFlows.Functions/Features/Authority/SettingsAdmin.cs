using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>A settings version as the API shows it: the version's record and its content.</summary>
public sealed record SettingsView<TSettings>(SettingsVersion Version, TSettings Settings);

/// <summary>A kind's settings as the API lists them: today's version (null: the app settings) and content, the schedule, every version.</summary>
public sealed record SettingsListing<TSettings>(DateOnly Today, string? InForceToday, TSettings InForce, IReadOnlyList<ScheduleEntry> Schedule, IReadOnlyList<SettingsVersion> Versions);

/// <summary>Body of a settings draft: without <see cref="Settings"/>, a new draft copies the settings in force.</summary>
public sealed record SettingsDraftRequest<TSettings>(DateOnly? EffectiveFrom, string? Note, TSettings? Settings)
    where TSettings : class;

/// <summary>
/// Maker-checker for one kind of HQ settings kept as JSON versions in table <c>HqSettings</c> (partition = kind): a draft
/// made by one HqAdmin, edited and submitted by them, approved or rejected by another, each write conditional on the
/// version's ETag, and an approved version in force from its effective date (<see cref="MakerChecker"/>,
/// <see cref="VersionStore"/>). The authority matrix (<see cref="MatrixAdmin"/>) has the same lifecycle with its own
/// import and export.
/// </summary>
/// <param name="versions">The kind's versions.</param>
/// <param name="kind">The settings kind, also the partition (e.g. <c>workflow</c>).</param>
/// <param name="idPrefix">Prefix of the version ids it makes (e.g. <c>WS</c>: <c>WS-20261122-A1B2C3</c>).</param>
/// <param name="problems">Every problem of a content, each naming its field; a version with any is refused.</param>
public abstract class SettingsAdmin<TSettings>(VersionStore versions, BusinessClock clock, string kind, string idPrefix, Func<TSettings, IReadOnlyList<FieldProblem>> problems)
    where TSettings : class
{
    protected VersionStore Versions => versions;

    protected BusinessClock Clock => clock;

    /// <summary>The version in force today (null: the app settings) and its content, copied by a draft made without content.</summary>
    protected abstract Task<(string? Version, TSettings Settings)> InForceTodayAsync(CancellationToken cancellationToken);

    /// <summary>Drops what the kind's readers cached, after an approval.</summary>
    protected abstract void Invalidate();

    /// <summary>The settings in force today (app settings until HQ approves a version), the schedule and every version.</summary>
    public async Task<SettingsListing<TSettings>> ListingAsync(CancellationToken cancellationToken)
    {
        var (version, inForce) = await InForceTodayAsync(cancellationToken);
        var schedule = await versions.ScheduleAsync(cancellationToken);
        return new SettingsListing<TSettings>(clock.Today, version, inForce,
            [.. schedule.Select(s => new ScheduleEntry(s.From, s.Version))], await versions.ListAsync(cancellationToken));
    }

    /// <summary>Makes a draft from <paramref name="settings"/>, or, without them, a copy of those in force today.</summary>
    public async Task<StoredVersion> CreateAsync(CreditUser maker, TSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
    {
        var (basedOn, inForce) = await InForceTodayAsync(cancellationToken);
        settings ??= inForce;
        var id = $"{idPrefix}-{clock.Today:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
        var info = MakerChecker.NewDraft(id, kind, maker, effectiveFrom, note, basedOn ?? "app settings", "api", clock.Today, clock.Now);
        Check(settings);
        await versions.AddAsync(info, JsonSerializer.Serialize(settings, ApplicationStore.Json), cancellationToken);
        return (await versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> EditAsync(string id, CreditUser maker, TSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        var edited = MakerChecker.Edit(stored.Info, maker, effectiveFrom, note, clock.Today);
        settings ??= Read(stored);
        Check(settings);
        return await WriteAsync(edited, settings, stored.ETag, cancellationToken);
    }

    public async Task<StoredVersion> SubmitAsync(string id, CreditUser maker, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        return await WriteAsync(MakerChecker.Submit(stored.Info, maker, clock.Today, clock.Now), Read(stored), stored.ETag, cancellationToken);
    }

    public async Task<StoredVersion> RejectAsync(string id, CreditUser checker, string? comment, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        return await WriteAsync(MakerChecker.Reject(stored.Info, checker, comment, clock.Now), Read(stored), stored.ETag, cancellationToken);
    }

    /// <summary>Approves: the record and its effective row in one transaction on the record's ETag (see <see cref="VersionStore.ApproveAsync"/>).</summary>
    public async Task<StoredVersion> ApproveAsync(string id, CreditUser checker, CancellationToken cancellationToken)
    {
        var stored = await FindAsync(id, cancellationToken);
        var approved = MakerChecker.Approve(stored.Info, checker, clock.Today, clock.Now);
        Check(Read(stored));
        await versions.ApproveOrExplainAsync(approved, stored.Content, stored.ETag, cancellationToken);

        Invalidate();
        return (await versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> FindAsync(string id, CancellationToken cancellationToken) =>
        await versions.FindAsync(id, cancellationToken) ?? throw new VersionNotFoundException(id);

    public static TSettings Read(StoredVersion stored) => JsonSerializer.Deserialize<TSettings>(stored.Content, ApplicationStore.Json)!;

    public static SettingsView<TSettings> View(StoredVersion stored) => new(stored.Info, Read(stored));

    private void Check(TSettings settings)
    {
        if (problems(settings) is { Count: > 0 } found)
        {
            throw SettingsRefusal.Invalid(found);
        }
    }

    private async Task<StoredVersion> WriteAsync(SettingsVersion info, TSettings settings, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await versions.ReplaceAsync(info, JsonSerializer.Serialize(settings, ApplicationStore.Json), etag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw SettingsRefusal.Conflict($"Version {info.Id} changed meanwhile; nothing was written for yours. Read it again.");
        }

        return (await versions.FindAsync(info.Id, cancellationToken))!;
    }
}
