using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The two ways a body goes to storage: one Put Blob when its Content-Length is known and at most
/// Documents:SingleRequestMaxBytes (here 200,000 bytes), staged 64 KiB blocks when it is chunked or larger. Storage
/// shows which: for a Put Blob the service computes the content's MD5 over the bytes it received and keeps it as the
/// blob's Content-MD5; a blob committed from a block list has none (none is sent).
/// </summary>
public class DocumentUploadPathTests : AppTestBase
{
    private const int SingleRequestMaxBytes = 200_000;

    public DocumentUploadPathTests()
        : this(new CapturedLogs())
    {
    }

    private DocumentUploadPathTests(CapturedLogs logs)
        : base(new TestApp(settings: Settings).WithServices(services => services.AddSingleton<ILoggerProvider>(logs))) => Logs = logs;

    /// <summary>The app's log messages.</summary>
    private CapturedLogs Logs { get; }

    private static Dictionary<string, string?> Settings => Documents.Settings(singleRequestMaxBytes: SingleRequestMaxBytes);

    private Loans Loans => field ??= new Loans(App);

    private static BlockBlobClient Blob(string name) =>
        Documents.Container.GetBlockBlobClient(name);

    /// <summary>Uploads, checks the stored blob, its metadata, tags and download; answers whether it was made by one Put Blob.</summary>
    private async Task<bool> OnePutBlobAsync(string id, byte[] bytes, HttpContent content, bool chunked = false, IReadOnlyDictionary<string, string>? headers = null)
    {
        var document = await Loans.ReadAsync(await Documents.UploadAsync(Loans.Officer, id, "CollateralPhoto", content, chunked: chunked, headers: headers), HttpStatusCode.Created);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(hash, document["sha256"]!.GetValue<string>());
        Assert.Equal(bytes.Length, document["size"]!.GetValue<long>());

        var blob = Blob($"B01/{id}/CollateralPhoto/{document["id"]!.GetValue<string>()}");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(bytes.Length, properties.ContentLength);
        Assert.Equal("image/jpeg", properties.ContentType);
        Assert.Equal(hash, properties.Metadata["sha256"]);
        Assert.Equal("lo-b01", properties.Metadata["uploader"]);
        Assert.Equal(document["fileName"]!.GetValue<string>(), Uri.UnescapeDataString(properties.Metadata["filename"]));
        var tags = (await blob.GetTagsAsync()).Value.Tags;
        Assert.Equal(hash, tags["sha256"]);
        Assert.Equal("CollateralPhoto", tags["type"]);
        Assert.Equal(id, tags["application"]);

        var download = await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{document["id"]}/content");
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());
        if (properties.ContentHash is { Length: > 0 } md5)
        {
            Assert.Equal(MD5.HashData(bytes), md5);
            return true;
        }

        return false;
    }

    [Fact]
    public async Task A_body_with_a_Content_Length_within_the_limit_goes_in_one_Put_Blob_with_its_hash_in_metadata_and_tags()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Jpeg, 150_000); // three 64 KiB blocks, had it gone as blocks

        Assert.True(await OnePutBlobAsync(id, bytes, Documents.Content(bytes)), "A single Put Blob was expected, not a block list.");
    }

    [Fact]
    public async Task A_chunked_body_and_a_body_above_the_limit_go_as_staged_blocks()
    {
        var id = await Loans.OpenAsync();
        var small = DocumentSamples.Bytes(FileKind.Jpeg, 150_000);
        var large = DocumentSamples.Bytes(FileKind.Jpeg, 300_000);

        Assert.False(await OnePutBlobAsync(id, small, Documents.Chunked(new MemoryStream(small)), chunked: true), "A chunked body should go as blocks.");
        Assert.False(await OnePutBlobAsync(id, large, Documents.Content(large)), "A body above the limit should go as blocks.");
        Assert.Equal(2, (await Documents.ListAsync(Loans.Officer, id)).Count);
    }

    [Fact]
    public async Task A_body_that_ends_before_its_Content_Length_stops_its_Put_Blob_uncommitted_and_leaves_nothing()
    {
        var id = await Loans.OpenAsync();
        var whole = DocumentSamples.Bytes(FileKind.Pdf, 150_000);

        // A phone losing its link halfway: headers announce 150,000 bytes, 100,000 arrive, then the connection ends.
        using (var socket = new TcpClient())
        {
            await socket.ConnectAsync(Client.BaseAddress!.Host, Client.BaseAddress.Port);
            var stream = socket.GetStream();
            var head = $"POST /api/applications/{id}/documents?type=ApplicationForm HTTP/1.1\r\nHost: {Client.BaseAddress.Authority}\r\n" +
                $"Authorization: {Loans.Officer.DefaultRequestHeaders.Authorization}\r\nContent-Type: application/pdf\r\n" +
                $"Content-Length: {whole.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(whole.AsMemory(0, 100_000));
            await stream.FlushAsync();

            // Only once the app has begun the Put Blob (the leading bytes were judged) does the link drop.
            await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"{id}/ApplicationForm/", "in one Put Blob of 150000 bytes");
        }

        // The request to storage was cut short, so storage committed nothing: there was no blob to delete.
        var discarded = await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"Discarded what a failed upload left of blob B01/{id}/ApplicationForm/");
        Assert.Contains("a committed blob was there to delete: False", discarded);
        Assert.Empty(await Documents.BlobsAsync("B01", id));
        Assert.Empty(await Documents.RowsAsync(id));

        // The same file whole is accepted: nothing of the failed attempt is in the way.
        var document = await Documents.UploadOkAsync(Loans.Officer, id, "ApplicationForm", whole);
        Assert.Equal(1, document["version"]!.GetValue<int>());
    }

    /// <summary>A damaged file is judged before its last bytes go: the Put Blob never completes, so there is nothing to delete either.</summary>
    [Fact]
    public async Task A_damaged_file_never_completes_its_Put_Blob()
    {
        var id = await Loans.OpenAsync();

        var response = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(DocumentSamples.PdfHeaderThenGarbage(150_000), "application/pdf"));

        await ProblemAsync(response, HttpStatusCode.BadRequest);
        await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"{id}/ApplicationForm/", "in one Put Blob of 150000 bytes");
        var discarded = await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"Discarded what a failed upload left of blob B01/{id}/ApplicationForm/");
        Assert.Contains("a committed blob was there to delete: False", discarded);
        Assert.Empty(await Documents.BlobsAsync("B01", id));
    }

    /// <summary>The RFC 9530 field for <paramref name="bytes"/>' SHA-256.</summary>
    private static string Digest(byte[] bytes) => DigestHeader.Format(Convert.ToHexStringLower(SHA256.HashData(bytes)));

    [Fact]
    public async Task A_declared_SHA_256_that_matches_is_labelled_by_the_Put_Blob_itself_and_checked_on_the_block_path_too()
    {
        var id = await Loans.OpenAsync();
        var viaPutBlob = DocumentSamples.Bytes(FileKind.Jpeg, 150_000);
        var viaBlocks = DocumentSamples.Bytes(FileKind.Jpeg, 140_000);

        Assert.True(await OnePutBlobAsync(id, viaPutBlob, Documents.Content(viaPutBlob), headers: new Dictionary<string, string> { ["Repr-Digest"] = Digest(viaPutBlob) }));
        var put = await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"{id}/CollateralPhoto/", "in one Put Blob of 150000 bytes");
        Assert.Contains("labelled with the SHA-256 the client declared", put);

        // Content-Digest is the same field for a body without a content coding; other algorithms beside sha-256 are ignored.
        var both = $"sha-512=:{Convert.ToBase64String(SHA512.HashData(viaBlocks))}:, {Digest(viaBlocks)}";
        Assert.False(await OnePutBlobAsync(id, viaBlocks, Documents.Chunked(new MemoryStream(viaBlocks)), chunked: true, headers: new Dictionary<string, string> { ["Content-Digest"] = both }));
        Assert.Equal(2, (await Documents.ListAsync(Loans.Officer, id)).Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_whose_SHA_256_is_not_the_declared_one_is_refused_naming_the_header_and_leaves_nothing(bool chunked)
    {
        var id = await Loans.OpenAsync();
        var sent = DocumentSamples.Bytes(FileKind.Pdf, 150_000);
        var meant = sent.ToArray();
        meant[75_000] ^= 1; // one bit differs in the middle: a well-formed PDF either way

        var content = chunked ? (HttpContent)Documents.Chunked(new MemoryStream(sent), "application/pdf") : Documents.Content(sent, "application/pdf");
        var response = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", content, chunked: chunked, headers: new Dictionary<string, string> { ["Repr-Digest"] = Digest(meant) });

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"] is JsonObject errors && errors.ContainsKey("Repr-Digest"), problem.ToJsonString());
        Assert.Contains(Digest(sent), problem["detail"]!.GetValue<string>()); // says what did arrive
        var discarded = await Logs.WaitForAsync(TimeSpan.FromSeconds(30), $"Discarded what a failed upload left of blob B01/{id}/ApplicationForm/");
        if (!chunked)
        {
            Assert.Contains("a committed blob was there to delete: False", discarded); // the Put Blob never completed
        }
        Assert.Empty(await Documents.BlobsAsync("B01", id));
        Assert.Empty(await Documents.RowsAsync(id));

        // The same bytes with their own hash are accepted.
        var ok = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(sent, "application/pdf"), headers: new Dictionary<string, string> { ["Repr-Digest"] = Digest(sent) });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
    }

    [Theory]
    [InlineData("Repr-Digest", "sha-256=abc", null)]
    [InlineData("Repr-Digest", "sha-256=:AAAA:", null)]
    [InlineData("Repr-Digest", "sha-512=:AAAA:", null)]
    [InlineData("Content-Digest", "SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", null)]
    [InlineData("Content-Digest", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:")]
    public async Task A_digest_header_that_cannot_be_checked_is_refused_naming_it_before_anything_is_stored(string named, string value, string? reprFirst)
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 20_000);
        var headers = reprFirst is null ? new Dictionary<string, string> { [named] = value } : new Dictionary<string, string> { ["Repr-Digest"] = reprFirst, [named] = value };

        var response = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(bytes, "application/pdf"), headers: headers);

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem["errors"] is JsonObject errors && errors.ContainsKey(named), problem.ToJsonString());
        Assert.Empty(await Documents.BlobsAsync("B01", id));
        Assert.Empty(await Documents.RowsAsync(id));
    }
}
