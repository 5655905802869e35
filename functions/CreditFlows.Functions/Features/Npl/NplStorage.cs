using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// The NPL feature's tables, containers and queues (names from <see cref="NplOptions"/>), created at start.
/// <list type="bullet">
/// <item><c>{P}Runs</c>: partition = business date; row <c>run</c> (status, run id, shards per branch, baseline date), rows <c>shard|{runId}|{branch}|{i}</c>.</item>
/// <item><c>{P}Ledger</c>: partition = branch; rows <c>l|{loanId}</c> (the ledger), <c>h|{loanId}|{stamp}|{kind}</c> (its history and audit) and <c>o|{loanId}</c> (manual classification).</item>
/// <item><c>{P}Summaries</c>: partition = business date; rows <c>union</c>, <c>branch|{B}</c>, <c>officer|{B}|{id}</c>, <c>person|{id}</c>.</item>
/// <item><c>{P}Alerts</c>: partition = business date, row = cause: each early warning once per cause per day.</item>
/// <item><c>{P}LedgerEdits</c>: partition = UTC date of an edit, row <c>{branch}|{loanId}</c>: which ledger rows a person changed that day
/// (written before the change), so a reader of the day's ledger export (<see cref="NplLedgerExport"/>) knows which rows to read again.</item>
/// </list>
/// </summary>
public sealed class NplStorage(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, IOptions<NplOptions> options) : IHostedService
{
    private readonly NplOptions _options = options.Value;

    public TableClient Runs => tables.GetTableClient(_options.TablePrefix + "Runs");

    public TableClient Ledger => tables.GetTableClient(_options.TablePrefix + "Ledger");

    public TableClient Summaries => tables.GetTableClient(_options.TablePrefix + "Summaries");

    public TableClient Alerts => tables.GetTableClient(_options.TablePrefix + "Alerts");

    public TableClient LedgerEdits => tables.GetTableClient(_options.TablePrefix + "LedgerEdits");

    public BlobContainerClient Extracts => blobs.GetBlobContainerClient(_options.ExtractContainer);

    public BlobContainerClient Data => blobs.GetBlobContainerClient(_options.DataContainer);

    public QueueClient DayQueue => queues.GetQueueClient(_options.DayQueue);

    public QueueClient ShardQueue => queues.GetQueueClient(_options.ShardQueue);

    public QueueClient Notifications => queues.GetQueueClient(Storage.StorageNames.Queues.Notifications);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            Runs.CreateIfNotExistsAsync(cancellationToken), Ledger.CreateIfNotExistsAsync(cancellationToken),
            Summaries.CreateIfNotExistsAsync(cancellationToken),
            Alerts.CreateIfNotExistsAsync(cancellationToken), LedgerEdits.CreateIfNotExistsAsync(cancellationToken), Extracts.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            Data.CreateIfNotExistsAsync(cancellationToken: cancellationToken), DayQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken),
            ShardQueue.CreateIfNotExistsAsync(cancellationToken: cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    public static string StagingBlob(DateOnly date, string runId, string branch, int index, int count) => $"days/{Day(date)}/runs/{runId}/staging/{branch}/{index}-of-{count}.bin.gz";

    public static string AggregatePrefix(DateOnly date, string runId) => $"days/{Day(date)}/runs/{runId}/aggregates/";

    public static string SnapshotBlob(DateOnly date, string branch, int index, int count) => $"days/{Day(date)}/snapshots/{branch}/{index}-of-{count}.bin.gz";

    public static string SummaryBlob(DateOnly date) => $"days/{Day(date)}/summary.json";

    public static string LedgerExportBlob(DateOnly date, string branch) => $"days/{Day(date)}/ledger/{branch}.bin.gz";

    /// <summary>Which of <paramref name="count"/> shards a loan belongs to: FNV-1a of its id, stable across processes and days.</summary>
    public static int ShardOf(string loanId, int count) => count <= 1 ? 0 : (int)(ShardHash(loanId) % (uint)count);

    /// <summary>FNV-1a (32 bits) of the loan id's UTF-16 code units: <see cref="ShardOf"/> is this modulo the shard count.</summary>
    public static uint ShardHash(string loanId)
    {
        var hash = 2166136261u;
        foreach (var c in loanId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
