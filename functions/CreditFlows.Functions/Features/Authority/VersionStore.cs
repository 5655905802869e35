using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Authority;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>A version as stored: its maker-checker record, its content (JSON) and the row's ETag.</summary>
public sealed record StoredVersion(SettingsVersion Info, string Content, ETag ETag);

/// <summary>
/// The versions of one kind of HQ setting in one table partition: row <c>{id}</c> per version (the record in
/// <c>Info</c>, the content in <paramref name="contentColumn"/>), and row <c>effective-{yyyy-MM-dd}</c> per
/// approved version, naming it. Approval replaces the version row on its ETag and adds the effective row in
/// one entity-group transaction, so two checkers racing cannot both approve, and two versions cannot take
/// effect on the same day. The version in force on a day is the one of the latest effective row not after it.
/// </summary>
public sealed class VersionStore(TableClient table, string partition, string contentColumn)
{
    public const string EffectivePrefix = "effective-";

    public async Task<StoredVersion?> FindAsync(string id, CancellationToken cancellationToken)
    {
        if (id.StartsWith(EffectivePrefix, StringComparison.Ordinal) || id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            return null;
        }

        var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: cancellationToken);
        return row.HasValue ? ToStored(row.Value!) : null;
    }

    public async Task<IReadOnlyList<SettingsVersion>> ListAsync(CancellationToken cancellationToken)
    {
        var versions = new List<SettingsVersion>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Info", "CreatedBy", "CreatedAt", "Status"], cancellationToken: cancellationToken))
        {
            if (!row.RowKey.StartsWith(EffectivePrefix, StringComparison.Ordinal))
            {
                versions.Add(ToInfo(row));
            }
        }

        return [.. versions.OrderBy(v => v.CreatedAt)];
    }

    /// <summary>The id of the version in force on <paramref name="date"/>, or null when none is.</summary>
    public async Task<string?> InForceAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EffectivePrefix} and RowKey le {EffectiveRow(date)}");
        string? id = null;
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Version"], cancellationToken: cancellationToken))
        {
            id = row.GetString("Version"); // rows come in key order: the last is the latest date
        }

        return id;
    }

    /// <summary>Every effective date and the version it names, in date order.</summary>
    public async Task<IReadOnlyList<(DateOnly From, string Version)>> ScheduleAsync(CancellationToken cancellationToken)
    {
        var schedule = new List<(DateOnly, string)>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {EffectivePrefix} and RowKey lt {"effective."}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["RowKey", "Version"], cancellationToken: cancellationToken))
        {
            schedule.Add((DateOnly.ParseExact(row.RowKey[EffectivePrefix.Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture), row.GetString("Version")!));
        }

        return schedule;
    }

    /// <summary>Adds a new version; a 409 <see cref="RequestFailedException"/> means the id exists.</summary>
    public Task AddAsync(SettingsVersion info, string content, CancellationToken cancellationToken) =>
        table.AddEntityAsync(ToEntity(info, content), cancellationToken);

    /// <summary>Replaces a version on its ETag; a 412 means it changed meanwhile.</summary>
    public Task ReplaceAsync(SettingsVersion info, string content, ETag etag, CancellationToken cancellationToken) =>
        table.UpdateEntityAsync(ToEntity(info, content), etag, TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Stores the approved record and its effective row in one transaction. Throws
    /// <see cref="TableTransactionFailedException"/>: 412 when the version changed meanwhile (another checker),
    /// 409 when another version already takes effect on that date.
    /// </summary>
    public Task ApproveAsync(SettingsVersion approved, string content, ETag etag, CancellationToken cancellationToken) =>
        table.SubmitTransactionAsync(
        [
            new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(approved, content), etag),
            new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partition, EffectiveRow(approved.EffectiveFrom!.Value)) { ["Version"] = approved.Id }),
        ], cancellationToken);

    /// <summary>
    /// <see cref="ApproveAsync"/>, with a race lost turned into the refusal that says why: another checker decided
    /// the version meanwhile (409), or another version already takes effect on that date (400, nothing activated).
    /// </summary>
    public async Task ApproveOrExplainAsync(SettingsVersion approved, string content, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await ApproveAsync(approved, content, etag, cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            var now = await FindAsync(approved.Id, cancellationToken);
            if (now is not null && now.Info.Status != VersionStatus.Submitted)
            {
                throw SettingsRefusal.Conflict($"Version {approved.Id} was {now.Info.Status} by {now.Info.DecidedBy} meanwhile; nothing was written for yours.");
            }

            var date = approved.EffectiveFrom!.Value;
            var taken = (await ScheduleAsync(cancellationToken)).FirstOrDefault(s => s.From == date).Version;
            throw SettingsRefusal.Invalid("effectiveFrom", $"Version {taken} already takes effect on {date:yyyy-MM-dd}: one version per day. Nothing was activated.");
        }
    }

    /// <summary>Adds an effective row unless the date has one (seeding); answers whether it was added.</summary>
    public async Task<bool> AddEffectiveIfAbsentAsync(DateOnly date, string id, CancellationToken cancellationToken)
    {
        try
        {
            await table.AddEntityAsync(new TableEntity(partition, EffectiveRow(date)) { ["Version"] = id }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    public static string EffectiveRow(DateOnly date) => EffectivePrefix + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private TableEntity ToEntity(SettingsVersion info, string content)
    {
        var entity = new TableEntity(partition, info.Id)
        {
            ["Info"] = JsonSerializer.Serialize(info, ApplicationStore.Json),
            ["Status"] = info.Status.ToString(),
            ["CreatedBy"] = info.CreatedBy,
            ["CreatedAt"] = info.CreatedAt,
        };
        TableText.Write(entity, contentColumn, content);
        return entity;
    }

    private StoredVersion ToStored(TableEntity row) => new(ToInfo(row), TableText.Read(row, contentColumn) ?? "{}", row.ETag);

    /// <summary>Rows written before maker-checker existed (the seeded default) have no <c>Info</c>: they are approved, in force from the start.</summary>
    private SettingsVersion ToInfo(TableEntity row) => row.GetString("Info") is { } info
        ? JsonSerializer.Deserialize<SettingsVersion>(info, ApplicationStore.Json)!
        : new SettingsVersion
        {
            Id = row.RowKey, Kind = partition, Status = VersionStatus.Approved, EffectiveFrom = DateOnly.MinValue, Source = "system",
            CreatedBy = row.GetString("CreatedBy") ?? "system", CreatedByName = row.GetString("CreatedBy") ?? "system",
            CreatedAt = row.GetDateTimeOffset("CreatedAt") ?? default,
        };
}
