using System.Net;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Storage;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// <c>CreditFileSweep</c>, invoked as the Functions host invokes a timer: a blob that no index row names (a crash
/// between an upload's blob and its index) goes once it is older than the grace; one that is younger, one the index
/// names, and one stored before the look-back stay; a blob whose index row is marked deleted (a DELETE that stopped
/// halfway) goes at once. Ages are the blobs' <c>uploadedat</c> metadata, so other tests' fresh uploads are never old
/// enough to be touched.
/// </summary>
public class CreditFileSweepTests() : AppTestBase(new TestApp(settings: Documents.Settings()))
{
    private Loans Loans => field ??= new Loans(App);

    private static BlobContainerClient Container => Documents.Container;

    /// <summary>Puts a blob where an upload would, with the metadata an upload writes first, and no index row.</summary>
    private static async Task<BlockBlobClient> OrphanAsync(string applicationId, TimeSpan age)
    {
        var documentId = "DOC-" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        var blob = Container.GetBlockBlobClient($"B01/{applicationId}/Other/{documentId}");
        await blob.UploadAsync(new MemoryStream(DocumentSamples.Bytes(FileKind.Pdf, 2_000)), new BlobUploadOptions
        {
            Metadata = new Dictionary<string, string> { ["documentid"] = documentId, ["uploadedat"] = (DateTimeOffset.UtcNow - age).ToString("O") },
        });
        return blob;
    }

    private async Task<int> SweepAsync() => (int)(await App.RunTimerAsync("CreditFileSweep")).ReturnValue!;

    [Fact]
    public async Task Unindexed_blobs_past_the_grace_and_blobs_of_deleted_documents_are_deleted_and_nothing_else()
    {
        var id = await Loans.OpenAsync();
        var kept = await Documents.UploadOkAsync(Loans.Officer, id, "ApplicationForm", DocumentSamples.Bytes(FileKind.Pdf, 5_000));
        var keptBlob = Container.GetBlobClient($"B01/{id}/ApplicationForm/{kept["id"]}");
        var halfDeleted = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", DocumentSamples.Bytes(FileKind.Jpeg, 5_000));
        var halfDeletedBlob = Container.GetBlobClient($"B01/{id}/IdCard/{halfDeleted["id"]}");

        // The indexed document looks two hours old too: being indexed, it stays whatever its age.
        var metadata = (await keptBlob.GetPropertiesAsync()).Value.Metadata;
        metadata["uploadedat"] = (DateTimeOffset.UtcNow - TimeSpan.FromHours(2)).ToString("O");
        await keptBlob.SetMetadataAsync(metadata);

        // A DELETE that marked the index row and stopped before deleting the blob.
        var table = new TableServiceClient(Azurite.ConnectionString).GetTableClient(StorageNames.Tables.Documents);
        await table.UpdateEntityAsync(new TableEntity(id, $"doc-{halfDeleted["id"]}") { ["Deleted"] = true }, Azure.ETag.All, TableUpdateMode.Merge);

        var old = await OrphanAsync(id, TimeSpan.FromHours(2));
        var young = await OrphanAsync(id, TimeSpan.FromMinutes(10));
        var beforeLookback = await OrphanAsync(id, TimeSpan.FromDays(8));

        var deleted = await SweepAsync();

        Assert.True(deleted >= 2, $"the sweep reported {deleted} deletions; the old orphan and the half-deleted document's blob at least");
        Assert.False(await old.ExistsAsync(), "an unindexed blob past the grace is deleted");
        Assert.False(await halfDeletedBlob.ExistsAsync(), "the blob of a document marked deleted is deleted");
        Assert.True(await young.ExistsAsync(), "an unindexed blob within the grace may be an upload about to write its index");
        Assert.True(await beforeLookback.ExistsAsync(), "blobs stored before the look-back are left to the runs that saw them");
        Assert.True(await keptBlob.ExistsAsync(), "an indexed document stays");

        var download = await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{kept["id"]}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        var listed = await Documents.ListAsync(Loans.Officer, id);
        Assert.Equal([kept["id"]!.GetValue<string>()], listed.Select(d => d!["id"]!.GetValue<string>()));

        // A second run finds nothing more of this application to delete.
        await SweepAsync();
        Assert.True(await young.ExistsAsync());
        Assert.True(await keptBlob.ExistsAsync());
    }
}
