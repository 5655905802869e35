using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Authority matrix versions in table <c>AuthorityMatrices</c>, partition <c>version</c> (see
/// <see cref="Authority.VersionStore"/>): one row per version, and one <c>effective-{date}</c> row per approved
/// version. The matrix in force on a business date is the approved version with the latest effective date not
/// after it. Approved versions never change, so they are cached; drafts are read fresh. At start, the default
/// matrix is stored, approved and in force from the beginning of time unless it already is, so a new union can
/// route applications on day one; HQ replaces it through maker-checker (<c>/api/authority-matrix</c>).
/// </summary>
public sealed partial class MatrixStore(TableServiceClient tables, BusinessClock clock, ILogger<MatrixStore> logger) : IHostedService
{
    public const string VersionPartition = "version";
    public const string ContentColumn = "Matrix";
    private readonly ConcurrentDictionary<string, AuthorityMatrix> _cache = new(StringComparer.Ordinal);

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.AuthorityMatrices);

    public Authority.VersionStore Versions => new(Table, VersionPartition, ContentColumn);

    /// <summary>The matrix in force today (the union's business date).</summary>
    public Task<AuthorityMatrix> GetActiveAsync(CancellationToken cancellationToken) => GetActiveAsync(clock.Today, cancellationToken);

    public async Task<AuthorityMatrix> GetActiveAsync(DateOnly date, CancellationToken cancellationToken)
    {
        var version = await Versions.InForceAsync(date, cancellationToken);
        return version is null
            ? throw new InvalidOperationException($"No authority matrix is in force on {date:yyyy-MM-dd}.")
            : await GetAsync(version, cancellationToken);
    }

    public async Task<AuthorityMatrix> GetAsync(string version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var stored = await Versions.FindAsync(version, cancellationToken) ?? throw new InvalidOperationException($"There is no authority matrix version {version}.");
        var matrix = JsonSerializer.Deserialize<AuthorityMatrix>(stored.Content, ApplicationStore.Json)!;
        return stored.Info.Status == VersionStatus.Approved ? _cache.GetOrAdd(version, matrix) : matrix;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var matrix = DefaultAuthorityMatrix.Create();
        var info = new SettingsVersion
        {
            Id = matrix.Version, Kind = "matrix", Status = VersionStatus.Approved, EffectiveFrom = DateOnly.MinValue, Source = "system",
            CreatedBy = "system", CreatedByName = "CreditFlows (default matrix)", CreatedAt = clock.Now, DecidedBy = "system",
            DecidedByName = "CreditFlows (default matrix)", DecidedAt = clock.Now, Note = "The default matrix, in force until HQ approves its own.",
        };
        try
        {
            await Versions.AddAsync(info, JsonSerializer.Serialize(matrix, ApplicationStore.Json), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Stored before (by another instance, or an earlier start).
        }

        if (await Versions.AddEffectiveIfAbsentAsync(DateOnly.MinValue, matrix.Version, cancellationToken))
        {
            LogSeeded(logger, matrix.Version);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "No authority matrix was in force: the default matrix {Version} now is, until HQ approves its own")]
    private static partial void LogSeeded(ILogger logger, string version);
}
