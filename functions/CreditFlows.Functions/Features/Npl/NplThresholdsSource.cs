using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Features.Authority;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// The NPL thresholds in force on a business date: the app settings (section <c>Npl</c>) as the baseline, with the
/// HQ classification settings version in force on that date (table <c>HqSettings</c>, partition
/// <c>classification</c>) in place of every threshold. The daily job asks for the extract's date, the views for
/// today. The schedule of effective dates is read at most every <see cref="RefreshAfter"/> (it holds future dates
/// too, so a change of day needs no read); an approved version never changes, so its content is read once.
/// </summary>
public sealed class NplThresholdsSource(IOptions<NplOptions> options, TableServiceClient tables, BusinessClock clock)
{
    public const string ContentColumn = "Settings";
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    private readonly NplThresholds _baseline = options.Value.ToNplThresholds();
    private readonly ConcurrentDictionary<string, NplThresholds> _approved = new(StringComparer.Ordinal);
    private volatile Schedule? _schedule;

    public NplThresholds Baseline => _baseline;

    public VersionStore Versions => new(tables.GetTableClient(StorageNames.Tables.HqSettings), ClassificationSettings.Kind, ContentColumn);

    public Task<NplThresholds> TodayAsync(CancellationToken cancellationToken) => ForDateAsync(clock.Today, cancellationToken);

    public async Task<NplThresholds> ForDateAsync(DateOnly date, CancellationToken cancellationToken) =>
        (await InForceAsync(date, cancellationToken)).Thresholds;

    /// <summary>The version in force on <paramref name="date"/> (null: the app settings) and its thresholds.</summary>
    public async Task<(string? Version, NplThresholds Thresholds)> InForceAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var version = (await ScheduleAsync(cancellationToken)).LastOrDefault(s => s.From <= date).Version;
        if (version is null)
        {
            return (null, _baseline);
        }

        if (!_approved.TryGetValue(version, out var thresholds))
        {
            var stored = await Versions.FindAsync(version, cancellationToken)
                ?? throw new InvalidOperationException($"HqSettings/{ClassificationSettings.Kind}: effective row names version {version}, which does not exist.");
            thresholds = JsonSerializer.Deserialize<ClassificationSettings>(stored.Content, ApplicationStore.Json)!.ApplyTo(_baseline);
            _approved[version] = thresholds;
        }

        return (version, thresholds);
    }

    /// <summary>Forget the cached schedule (after an approval on this instance).</summary>
    public void Invalidate() => _schedule = null;

    private async Task<IReadOnlyList<(DateOnly From, string Version)>> ScheduleAsync(CancellationToken cancellationToken)
    {
        var now = clock.Now;
        if (_schedule is { } s && now - s.ReadAt < RefreshAfter && now >= s.ReadAt)
        {
            return s.Entries;
        }

        var entries = await Versions.ScheduleAsync(cancellationToken); // in key order: by date
        _schedule = new Schedule(entries, now);
        return entries;
    }

    private sealed record Schedule(IReadOnlyList<(DateOnly From, string Version)> Entries, DateTimeOffset ReadAt);
}
