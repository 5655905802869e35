using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>Uploads: each format accepted by content, stored streamed with its hash, metadata and tags; versions kept; races.</summary>
public class DocumentTests : AppTestBase
{
    public DocumentTests()
        : this(Documents.Settings())
    {
    }

    protected DocumentTests(Dictionary<string, string?> settings)
        : base(new TestApp(settings: settings))
    {
    }

    private Loans Loans => field ??= new Loans(App);

    public static TheoryData<FileKind> Kinds => new(Enum.GetValues<FileKind>());

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Each_accepted_format_is_stored_by_its_content_and_downloads_unchanged(FileKind kind)
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(kind, 300_000); // several 64 KiB blocks

        // Named and declared as nothing in particular: the content decides.
        var document = await Documents.UploadOkAsync(Loans.Officer, id, "ApplicationForm", bytes, "note=" + Uri.EscapeDataString("申请表 page 1") + "&fileName=scan");

        Assert.Equal(kind.ToString(), document["kind"]!.GetValue<string>());
        Assert.Equal(kind.ContentType(), document["contentType"]!.GetValue<string>());
        Assert.Equal(bytes.Length, document["size"]!.GetValue<long>());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), document["sha256"]!.GetValue<string>());
        Assert.Equal(1, document["version"]!.GetValue<int>());
        Assert.Equal("scan" + kind.Extension(), document["fileName"]!.GetValue<string>());
        var documentId = document["id"]!.GetValue<string>();

        var blob = Assert.Single(await Documents.BlobsAsync("B01", id));
        Assert.Equal($"B01/{id}/ApplicationForm/{documentId}", blob.Name);
        Assert.Equal(kind.ContentType(), blob.Properties.ContentType);
        Assert.Equal(document["sha256"]!.GetValue<string>(), blob.Metadata["sha256"]);
        Assert.Equal("lo-b01", blob.Metadata["uploader"]);
        var tags = (await Documents.Container.GetBlobClient(blob.Name).GetTagsAsync()).Value.Tags;
        Assert.Equal("ApplicationForm", tags["type"]);
        Assert.Equal("B01", tags["branch"]);
        Assert.Equal(id, tags["application"]);
        Assert.Equal("lo-b01", tags["uploader"]);

        var download = await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{documentId}/content");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(kind.ContentType(), download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("scan" + kind.Extension(), download.Content.Headers.ContentDisposition?.FileNameStar);
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Uploading_again_makes_a_new_version_and_the_old_one_stays()
    {
        var id = await Loans.OpenAsync();
        var first = DocumentSamples.Bytes(FileKind.Pdf, 5_000);
        var second = DocumentSamples.Bytes(FileKind.Jpeg, 7_000);

        var v1 = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", first);
        var v2 = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", second);

        Assert.Equal(2, v2["version"]!.GetValue<int>());
        var listed = await Documents.ListAsync(Loans.Officer, id);
        Assert.Equal([1, 2], listed.Select(d => d!["version"]!.GetValue<int>()));
        Assert.Equal([false, true], listed.Select(d => d!["latest"]!.GetValue<bool>()));
        Assert.Equal(2, (await Documents.BlobsAsync("B01", id)).Count);
        var old = await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{v1["id"]}/content");
        Assert.Equal(first, await old.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Uploads_of_one_type_at_once_each_get_their_own_version()
    {
        var id = await Loans.OpenAsync();

        var uploads = await Task.WhenAll(Enumerable.Range(0, 6).Select(n =>
            Documents.UploadOkAsync(Loans.Officer, id, "CollateralPhoto", DocumentSamples.Bytes(FileKind.Jpeg, 20_000 + n))));

        Assert.Equal([1, 2, 3, 4, 5, 6], uploads.Select(u => u["version"]!.GetValue<int>()).Order());
        Assert.Equal(6, (await Documents.ListAsync(Loans.Officer, id)).Count);
        Assert.Equal(6, (await Documents.BlobsAsync("B01", id)).Count);
    }

    [Fact]
    public async Task Two_uploads_meant_to_replace_the_same_version_one_wins_the_other_gets_412_and_leaves_nothing()
    {
        var id = await Loans.OpenAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(n =>
            Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 200_000 + n)), ifMatch: "\"0\"")));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.PreconditionFailed], responses.Select(r => r.StatusCode).Order());
        var problem = await ProblemAsync(responses.Single(r => r.StatusCode != HttpStatusCode.Created), HttpStatusCode.PreconditionFailed);
        Assert.Equal(1, problem["latestVersion"]!.GetValue<int>());
        Assert.Single(await Documents.BlobsAsync("B01", id));
        Assert.Single(await Documents.ListAsync(Loans.Officer, id));
    }

    [Fact]
    public async Task A_repeated_upload_with_its_Idempotency_Key_is_answered_from_the_first()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Png, 10_000);

        var first = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(bytes), idempotencyKey: "phone-retry-1");
        var again = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(bytes), idempotencyKey: "phone-retry-1");
        var other = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(bytes), "note=different", idempotencyKey: "phone-retry-1");

        var stored = await Loans.ReadAsync(first, HttpStatusCode.Created);
        var replayed = await Loans.ReadAsync(again, HttpStatusCode.Created);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(stored["id"]!.GetValue<string>(), replayed["id"]!.GetValue<string>());
        await ProblemAsync(other, HttpStatusCode.UnprocessableEntity);
        Assert.Single(await Documents.BlobsAsync("B01", id));
    }

    [Fact]
    public async Task A_document_may_name_a_collateral_item_of_the_investigation()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = false });

        var photo = await Documents.UploadOkAsync(Loans.Officer, id, "CollateralPhoto", DocumentSamples.Bytes(FileKind.Jpeg, 4_000), "collateralItem=0");
        var none = await Documents.UploadAsync(Loans.Officer, id, "CollateralPhoto", Documents.Content(DocumentSamples.Bytes(FileKind.Jpeg, 4_000)), "collateralItem=1");

        Assert.Equal(0, photo["collateralItem"]!.GetValue<int>());
        var problem = await ProblemAsync(none, HttpStatusCode.BadRequest);
        Assert.Contains("collateralItem", problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Single(await Documents.BlobsAsync("B01", id));
    }
}

/// <summary>The same uploads with every body sent as staged blocks (the way of chunked and large bodies).</summary>
public class DocumentInBlocksTests() : DocumentTests(Documents.Settings(singleRequestMaxBytes: 0));
