using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Functions.Storage;

namespace CreditFlows.Functions.LocalRunner;

/// <summary>
/// The singleton lock on a timer listener, as the Functions host takes it: a lease on
/// <c>azure-webjobs-hosts/locks/{hostId}/Host.Functions.{name}.Listener</c>. Only the instance holding the
/// lease runs the schedule, so two instances never both fire one occurrence; when the holder stops or
/// dies, the lease lapses and another instance takes over.
/// </summary>
public sealed class ListenerLock(BlobServiceClient blobs)
{
    public static string LockBlobName(string hostId, string functionName) => $"locks/{hostId}/Host.Functions.{functionName}.Listener";

    /// <summary>Takes the lease, or answers null when another instance holds it.</summary>
    public async Task<BlobLeaseClient?> TryAcquireAsync(string hostId, string functionName, TimeSpan period, CancellationToken cancellationToken)
    {
        var blob = blobs.GetBlobContainerClient(StorageNames.Containers.WebJobsHosts).GetBlobClient(LockBlobName(hostId, functionName));
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists already (and may be leased): that is the usual case.
        }

        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(period, cancellationToken: cancellationToken);
            return lease;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return null;
        }
    }
}
