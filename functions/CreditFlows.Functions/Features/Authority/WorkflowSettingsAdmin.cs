using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>A workflow settings version as the API shows it.</summary>
public sealed record WorkflowSettingsView(SettingsVersion Version, WorkflowSettings Settings);

/// <summary>
/// Maker-checker for the workflow settings (stage deadlines, reminder point, expiry, first inspection,
/// responsibility shares): the same lifecycle, ETag-conditional writes and effective dates as the authority
/// matrix (<see cref="MatrixAdmin"/>), stored in table <c>HqSettings</c>, partition <c>workflow</c>.
/// </summary>
public sealed class WorkflowSettingsAdmin(WorkflowPolicySource source, BusinessClock clock)
{
    private VersionStore Versions => source.Versions;

    /// <summary>Makes a draft from <paramref name="settings"/>, or, without them, a copy of the settings in force today.</summary>
    public async Task<StoredVersion> CreateAsync(CreditUser maker, WorkflowSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
    {
        var basedOn = await Versions.InForceAsync(clock.Today, cancellationToken);
        settings ??= WorkflowSettings.From(await source.GetAsync(cancellationToken));
        var id = $"WS-{clock.Today:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";
        var info = MakerChecker.NewDraft(id, WorkflowSettings.Kind, maker, effectiveFrom, note, basedOn ?? "app settings", "api", clock.Today, clock.Now);
        Check(settings);
        await Versions.AddAsync(info, JsonSerializer.Serialize(settings, ApplicationStore.Json), cancellationToken);
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> EditAsync(string id, CreditUser maker, WorkflowSettings? settings, DateOnly? effectiveFrom, string? note, CancellationToken cancellationToken)
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
        var settings = Read(stored);
        Check(settings);
        await Versions.ApproveOrExplainAsync(approved, stored.Content, stored.ETag, cancellationToken);

        source.Invalidate();
        return (await Versions.FindAsync(id, cancellationToken))!;
    }

    public async Task<StoredVersion> FindAsync(string id, CancellationToken cancellationToken) =>
        await Versions.FindAsync(id, cancellationToken) ?? throw new VersionNotFoundException(id);

    public static WorkflowSettings Read(StoredVersion stored) => JsonSerializer.Deserialize<WorkflowSettings>(stored.Content, ApplicationStore.Json)!;

    public static WorkflowSettingsView View(StoredVersion stored) => new(stored.Info, Read(stored));

    private static void Check(WorkflowSettings settings)
    {
        if (settings.Problems() is { Count: > 0 } problems)
        {
            throw SettingsRefusal.Invalid(problems);
        }
    }

    private async Task<StoredVersion> WriteAsync(SettingsVersion info, WorkflowSettings settings, ETag etag, CancellationToken cancellationToken)
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
