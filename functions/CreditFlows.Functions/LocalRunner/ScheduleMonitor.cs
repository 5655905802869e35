using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using CreditFlows.Functions.Hosting;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// Timer status blobs, where the Functions host keeps them:
/// <c>azure-webjobs-hosts/timers/{hostId}/Host.Functions.{name}/status</c>, JSON <c>{Last, Next, LastUpdated}</c>.
/// A status whose <c>Next</c> has passed when a listener starts means an occurrence was missed.
/// </summary>
public sealed class ScheduleMonitor(BlobServiceClient blobs)
{
    public async Task<ScheduleStatus?> GetStatusAsync(string hostId, string functionName, CancellationToken cancellationToken)
    {
        try
        {
            var content = await Blob(hostId, functionName).DownloadContentAsync(cancellationToken);
            return JsonSerializer.Deserialize(content.Value.Content.ToString(), HostJsonContext.Default.ScheduleStatus);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (JsonException)
        {
            // An unreadable status is treated as none: the next occurrence is computed from now.
            return null;
        }
    }

    public async Task UpdateStatusAsync(string hostId, string functionName, ScheduleStatus status, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(status, HostJsonContext.Default.ScheduleStatus);
        await Blob(hostId, functionName).UploadAsync(BinaryData.FromString(json),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } }, cancellationToken);
    }

    public static string StatusBlobName(string hostId, string functionName) => $"timers/{hostId}/Host.Functions.{functionName}/status";

    private BlobClient Blob(string hostId, string functionName) =>
        blobs.GetBlobContainerClient(StorageNames.Containers.WebJobsHosts).GetBlobClient(StatusBlobName(hostId, functionName));
}
