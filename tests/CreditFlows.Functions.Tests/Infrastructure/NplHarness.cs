using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Npl;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// Drives the daily NPL job as the Functions host would: uploads an extract, POSTs the day message to
/// <c>/NplPrepareDay</c>, then takes the shard messages off the (test's own) shard queue and POSTs each to
/// <c>/NplShard</c>. Every test gets its own tables, containers and queues (settings below), so runs of the same
/// date in parallel tests never meet.
/// </summary>
public sealed class NplHarness(TestApp app)
{
    public static Dictionary<string, string?> Settings(int shardSize = 50_000, IDictionary<string, string?>? extra = null)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var settings = new Dictionary<string, string?>
        {
            ["Npl:TablePrefix"] = $"T{id}",
            ["Npl:ExtractContainer"] = $"lb-{id}",
            ["Npl:DataContainer"] = $"npl-{id}",
            ["Npl:DayQueue"] = $"nd-{id}",
            ["Npl:ShardQueue"] = $"ns-{id}",
            ["Npl:ShardSize"] = shardSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return settings;
    }

    public NplStorage Storage => app.Services.GetRequiredService<NplStorage>();

    public async Task UploadAsync(DateOnly date, IEnumerable<LoanRecord> loans, bool gzip = false, IReadOnlyList<string>? columns = null)
    {
        var csv = new MemoryStream();
        ExtractWriter.Write(csv, loans, columns);
        await UploadAsync(date, csv.ToArray(), gzip);
    }

    public async Task UploadAsync(DateOnly date, byte[] csv, bool gzip = false)
    {
        var bytes = csv;
        if (gzip)
        {
            var packed = new MemoryStream();
            await using (var z = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await z.WriteAsync(csv);
            }

            bytes = packed.ToArray();
        }

        await Storage.Extracts.GetBlobClient($"{NplStorage.Day(date)}.csv{(gzip ? ".gz" : string.Empty)}").UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
    }

    /// <summary>Prepares the day and runs every shard; answers the logs of each invocation.</summary>
    public async Task<List<string>> RunDayAsync(DateOnly date, DateTimeOffset? retryUntil = null)
    {
        var logs = new List<string> { await InvokeAsync("NplPrepareDay", new DayMessage(date, 1, retryUntil ?? DateTimeOffset.UtcNow.AddHours(3))) };
        logs.AddRange(await DrainShardsAsync());
        return logs;
    }

    public async Task<List<string>> DrainShardsAsync()
    {
        var logs = new List<string>();
        var queue = Storage.ShardQueue;
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32)).Value;
            if (messages.Length == 0)
            {
                return logs;
            }

            foreach (var message in messages)
            {
                logs.Add(await InvokeRawAsync("NplShard", message.Body.ToString()));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }
    }

    public Task<string> InvokeAsync<T>(string function, T message) => InvokeRawAsync(function, JsonSerializer.Serialize(message, NplRuns.Json));

    public async Task<string> InvokeRawAsync(string function, string message) => (await app.RunQueueAsync(function, message)).Text();

    public async Task<DayRun?> RunAsync(DateOnly date) => await app.Services.GetRequiredService<NplRuns>().FindAsync(date, CancellationToken.None);

    public async Task<int> QueuedAsync(QueueClient queue) => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
}
