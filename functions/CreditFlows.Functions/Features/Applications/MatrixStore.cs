using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>
/// Authority matrix versions in table <c>AuthorityMatrices</c> (partition <c>version</c>, one row per version,
/// never changed once stored) and the pointer row <c>active/current</c>. Versions are cached: they cannot change.
/// At start, when no version is active, the default matrix is stored and made active, so a new union can route
/// applications on day one; HQ replaces it through the HQ administration issue's maker-checker.
/// </summary>
public sealed partial class MatrixStore(TableServiceClient tables, ILogger<MatrixStore> logger) : IHostedService
{
    private const string VersionPartition = "version";
    private readonly ConcurrentDictionary<string, AuthorityMatrix> _cache = new(StringComparer.Ordinal);

    private TableClient Table => tables.GetTableClient(StorageNames.Tables.AuthorityMatrices);

    public async Task<AuthorityMatrix> GetActiveAsync(CancellationToken cancellationToken)
    {
        var pointer = await Table.GetEntityIfExistsAsync<TableEntity>("active", "current", cancellationToken: cancellationToken);
        var version = pointer.HasValue ? pointer.Value!.GetString("Version") : null;
        return version is null
            ? throw new InvalidOperationException("No authority matrix is active.")
            : await GetAsync(version, cancellationToken);
    }

    public async Task<AuthorityMatrix> GetAsync(string version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(version, out var cached))
        {
            return cached;
        }

        var row = await Table.GetEntityAsync<TableEntity>(VersionPartition, version, cancellationToken: cancellationToken);
        var matrix = JsonSerializer.Deserialize<AuthorityMatrix>(TableText.Read(row.Value, "Matrix")!, ApplicationStore.Json)!;
        return _cache.GetOrAdd(version, matrix);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pointer = await Table.GetEntityIfExistsAsync<TableEntity>("active", "current", cancellationToken: cancellationToken);
        if (pointer.HasValue)
        {
            return;
        }

        var matrix = DefaultAuthorityMatrix.Create();
        var row = new TableEntity(VersionPartition, matrix.Version) { ["CreatedBy"] = "system (default)", ["CreatedAt"] = DateTimeOffset.UtcNow };
        TableText.Write(row, "Matrix", JsonSerializer.Serialize(matrix, ApplicationStore.Json));
        try
        {
            await Table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another instance stored it first.
        }

        try
        {
            await Table.AddEntityAsync(new TableEntity("active", "current") { ["Version"] = matrix.Version }, cancellationToken);
            LogSeeded(logger, matrix.Version);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Another instance activated one first.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "No authority matrix was active: the default matrix {Version} is now active until HQ sets its own")]
    private static partial void LogSeeded(ILogger logger, string version);
}
