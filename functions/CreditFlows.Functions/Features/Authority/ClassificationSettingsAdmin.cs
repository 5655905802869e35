using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Npl;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>A classification settings version as the API shows it.</summary>
public sealed record ClassificationSettingsView(SettingsVersion Version, ClassificationSettings Settings);

/// <summary>
/// Maker-checker for the NPL thresholds (classification day limits, restructured floor, litigation and inspection
/// rules, early-warning thresholds): the same lifecycle, ETag-conditional writes and effective dates as the
/// workflow settings (<see cref="WorkflowSettingsAdmin"/>), stored in table <c>HqSettings</c>, partition
/// <c>classification</c>; read by the NPL job through <see cref="NplThresholdsSource"/>.
/// </summary>
public sealed class ClassificationSettingsAdmin(NplThresholdsSource source, BusinessClock clock)
{
    private VersionStore Versions => source.Versions;

    /// <summary>Makes a draft from <paramref name="settings"/>, or, without them, a copy of the thresholds in force today.</summary>
    public async Task<StoredVersion> CreateAsync(CreditUser maker, ClassificationSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
    {
        var (basedOn, inForce) = await source.InForceAsync(clock.Today, cancellationToken);
        settings ??= ClassificationSettings.From(inForce);
        var id = $"CS-{clock.Today:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
        var info = MakerChecker.NewDraft(id, ClassificationSettings.Kind, maker, effectiveFrom, note, basedOn ?? "app settings", "api", clock.Today, clock.Now);
        Check(settings);
        await Versions.AddAsync(info, JsonSerializer.Serialize(settings, ApplicationStore.Json), cancellationToken);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> EditAsync(string id, CreditUser maker, ClassificationSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
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
        await Versions.ApproveOrExplainAsync(approved, stored.Content, stored.ETag, cancellationToken);

        source.Invalidate();
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> FindAsync(string id, CancellationToken cancellationToken) =>
        await Versions.FindAsync(id, cancellationToken) ?? throw new VersionNotFoundException(id);

    public static ClassificationSettings Read(StoredVersion stored) => JsonSerializer.Deserialize<ClassificationSettings>(stored.Content, ApplicationStore.Json)!;

    public static ClassificationSettingsView View(StoredVersion stored) => new(stored.Info, Read(stored));

    private static void Check(ClassificationSettings settings)
    {
        if (settings.Problems() is { Count: > 0 } problems)
        {
            throw SettingsRefusal.Invalid(problems);
        }
    }

    private async Task<StoredVersion> WriteAsync(SettingsVersion info, ClassificationSettings settings, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await Versions.ReplaceAsync(info, JsonSerializer.Serialize(settings, ApplicationStore.Json), etag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            throw SettingsRefusal.Conflict($"Version {info.Id} changed meanwhile; nothing was written for yours. Read it again.");
        }

        return (await Versions.FindAsync(info.Id, cancellationToken))!;
    }
}
