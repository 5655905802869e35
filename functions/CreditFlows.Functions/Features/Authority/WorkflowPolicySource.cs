using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Features.Applications;
using CreditFlows.Functions.Storage;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// The workflow policy in force: the app settings (section <c>Workflow</c>) as the baseline, with the HQ workflow
/// settings version in force today (table <c>HqSettings</c>, partition <c>workflow</c>) in place of its deadlines,
/// reminder point, expiry, first inspection and shares. Read at most every <see cref="RefreshAfter"/> and whenever
/// the business date changes, so an approved version reaches every instance within that time of its effective date.
/// </summary>
public sealed class WorkflowPolicySource(IOptions<WorkflowOptions> options, TableServiceClient tables, BusinessClock clock)
{
    public const string ContentColumn = "Settings";
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    private readonly WorkflowPolicy _baseline = options.Value.ToPolicy();
    private volatile Snapshot? _current;

    public WorkflowPolicy Baseline => _baseline;

    /// <summary>The policy last read (the baseline before the first read): for synchronous callers inside a command.</summary>
    public WorkflowPolicy Current => _current?.Policy ?? _baseline;

    public VersionStore Versions => new(tables.GetTableClient(StorageNames.Tables.HqSettings), WorkflowSettings.Kind, ContentColumn);

    public async Task<WorkflowPolicy> GetAsync(CancellationToken cancellationToken)
    {
        var today = clock.Today;
        if (_current is { } c && c.Date == today && clock.Now - c.ReadAt < RefreshAfter && clock.Now >= c.ReadAt)
        {
            return c.Policy;
        }

        var policy = _baseline;
        var version = await Versions.InForceAsync(today, cancellationToken);
        if (version is not null && await Versions.FindAsync(version, cancellationToken) is { } stored)
        {
            policy = JsonSerializer.Deserialize<WorkflowSettings>(stored.Content, ApplicationStore.Json)!.ApplyTo(_baseline);
        }

        _current = new Snapshot(policy, today, clock.Now, version);
        return policy;
    }

    /// <summary>The version in force as last read (null: the app settings).</summary>
    public string? CurrentVersion => _current?.Version;

    /// <summary>Forget the cached policy (after an approval on this instance).</summary>
    public void Invalidate() => _current = null;

    private sealed record Snapshot(WorkflowPolicy Policy, DateOnly Date, DateTimeOffset ReadAt, string? Version);
}
