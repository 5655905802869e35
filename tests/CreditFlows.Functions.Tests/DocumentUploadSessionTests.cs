using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// Upload sessions: the client announces the file, uploads it straight to storage with the create-only SAS URL it is
/// given (here with the SDK's own clients, as a phone app would with any HTTP client), and completes the session; the
/// app judges the blob as it judges a direct upload. Real Azurite, which checks the SAS's signature and permissions.
/// </summary>
public class DocumentUploadSessionTests() : AppTestBase(new TestApp(settings: Documents.Settings()))
{
    private Loans Loans => field ??= new Loans(App);

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static JsonObject Announce(byte[] bytes, string type = "PropertyCertificate", string? fileName = null, string? sha256 = null, long? size = null) => new()
    {
        ["type"] = type,
        ["size"] = size ?? bytes.Length,
        ["sha256"] = sha256 ?? Sha256(bytes),
        ["fileName"] = fileName,
        ["note"] = "镇东 plot, scanned at the branch",
    };

    private async Task<JsonObject> OpenAsync(string id, JsonObject body, HttpClient? client = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/documents/upload-sessions") { Content = Loans.Json(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await Loans.ReadAsync(await (client ?? Loans.Officer).SendAsync(request), HttpStatusCode.Created);
    }

    private Task<HttpResponseMessage> CompleteAsync(JsonObject session, HttpClient? client = null) =>
        (client ?? Loans.Officer).PostAsync(session["completeUrl"]!.GetValue<string>(), null);

    private static BlockBlobClient Sas(JsonObject session) => new(new Uri(session["uploadUrl"]!.GetValue<string>()));

    [Fact]
    public async Task A_file_uploaded_with_the_session_URL_becomes_the_next_version_once_completed()
    {
        var id = await Loans.OpenAsync();
        await Documents.UploadOkAsync(Loans.Officer, id, "PropertyCertificate", DocumentSamples.Bytes(FileKind.Jpeg, 5_000)); // version 1, uploaded directly
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 300_000);

        var session = await OpenAsync(id, Announce(bytes, fileName: "certificate.pdf"));
        Assert.Equal("Open", session["status"]!.GetValue<string>());
        Assert.Equal("PUT", session["uploadMethod"]!.GetValue<string>());
        Assert.Equal("BlockBlob", session["uploadHeaders"]!["x-ms-blob-type"]!.GetValue<string>());
        Assert.Contains("sp=c&", session["uploadUrl"]!.GetValue<string>()); // create, nothing else
        var early = await ProblemAsync(await CompleteAsync(session), HttpStatusCode.Conflict); // nothing uploaded yet
        Assert.Contains("PUT the file", early["detail"]!.GetValue<string>());

        await Sas(session).UploadAsync(new MemoryStream(bytes)); // straight to storage, not through the app
        var document = await Loans.ReadAsync(await CompleteAsync(session), HttpStatusCode.Created);

        Assert.Equal(session["id"]!.GetValue<string>(), document["id"]!.GetValue<string>());
        Assert.Equal(2, document["version"]!.GetValue<int>());
        Assert.Equal(Sha256(bytes), document["sha256"]!.GetValue<string>());
        Assert.Equal("application/pdf", document["contentType"]!.GetValue<string>());
        Assert.Equal("certificate.pdf", document["fileName"]!.GetValue<string>());
        var listed = await Documents.ListAsync(Loans.Officer, id);
        Assert.Equal([1, 2], listed.Select(d => d!["version"]!.GetValue<int>()));
        Assert.True(listed[1]!["latest"]!.GetValue<bool>());

        var blob = Documents.Container.GetBlockBlobClient(document["blobName"]!.GetValue<string>());
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal("application/pdf", properties.ContentType);
        Assert.Equal(Sha256(bytes), properties.Metadata["sha256"]);
        Assert.Equal("lo-b01", properties.Metadata["uploader"]);
        Assert.Equal(Sha256(bytes), (await blob.GetTagsAsync()).Value.Tags["sha256"]);

        var download = await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{document["id"]}/content");
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        // Completing again answers the same document; the session shows it.
        var again = await CompleteAsync(session);
        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(document["id"]!.ToString(), (await Loans.ReadAsync(again, HttpStatusCode.Created))["id"]!.ToString());
        var shown = await Loans.ReadAsync(await Loans.Officer.GetAsync($"/api/applications/{id}/documents/upload-sessions/{session["id"]}"), HttpStatusCode.OK);
        Assert.Equal("Completed", shown["status"]!.GetValue<string>());
        Assert.Equal(document["id"]!.ToString(), shown["documentId"]!.ToString());
        Assert.Equal(2, (await Documents.ListAsync(Loans.Officer, id)).Count);
    }

    [Fact]
    public async Task The_session_URL_creates_its_one_blob_in_one_Put_Blob_and_does_nothing_else()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Jpeg, 200_000);
        var session = await OpenAsync(id, Announce(bytes, type: "CollateralPhoto"));
        var sas = Sas(session);

        // Create permission only: no staged blocks (they need write permission, and with it the holder could overwrite
        // the file after it was judged, until the URL expires), no reading, no deleting, no other name.
        var blockId = Convert.ToBase64String("block-0"u8.ToArray());
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => sas.StageBlockAsync(blockId, new MemoryStream(bytes)))).Status);
        await sas.UploadAsync(new MemoryStream(bytes));
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => sas.DownloadContentAsync())).Status);
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => sas.DeleteAsync())).Status);
        var sibling = new BlobUriBuilder(sas.Uri) { BlobName = sas.Name + "-other" }.ToUri();
        Assert.Equal(403, (await Assert.ThrowsAsync<RequestFailedException>(() => new BlockBlobClient(sibling).UploadAsync(new MemoryStream(bytes)))).Status);
        Assert.Equal(bytes, (await Documents.Container.GetBlobClient(sas.Name).DownloadContentAsync()).Value.Content.ToArray());

        var document = await Loans.ReadAsync(await CompleteAsync(session), HttpStatusCode.Created);
        Assert.Equal("image/jpeg", document["contentType"]!.GetValue<string>());
        Assert.Equal("CollateralPhoto", document["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_file_that_is_not_the_one_announced_is_refused_deleted_and_can_be_uploaded_again()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 100_000);
        var session = await OpenAsync(id, Announce(bytes));
        var sas = Sas(session);

        // Another file of the same length: its SHA-256 is not the one announced.
        var other = bytes.ToArray();
        other[50_000] ^= 1;
        await sas.UploadAsync(new MemoryStream(other));
        var problem = await ProblemAsync(await CompleteAsync(session), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"] is JsonObject e1 && e1.ContainsKey("sha256"), problem.ToJsonString());
        Assert.Empty(await Documents.BlobsAsync("B01", id));

        // Cut short: the size is not the one announced.
        await sas.UploadAsync(new MemoryStream(bytes, 0, 60_000));
        problem = await ProblemAsync(await CompleteAsync(session), HttpStatusCode.BadRequest);
        Assert.True(problem["errors"] is JsonObject e2 && e2.ContainsKey("size"), problem.ToJsonString());
        Assert.Empty(await Documents.BlobsAsync("B01", id));

        // A renamed executable announced with its own hash and size: judged by content.
        var executable = DocumentSamples.Executable(100_000);
        var exeSession = await OpenAsync(id, Announce(executable, fileName: "scan.pdf"));
        await Sas(exeSession).UploadAsync(new MemoryStream(executable));
        await ProblemAsync(await CompleteAsync(exeSession), HttpStatusCode.UnsupportedMediaType);

        Assert.Empty(await Documents.BlobsAsync("B01", id));
        Assert.Empty(await Documents.ListAsync(Loans.Officer, id));

        // The session stays open: the right file now goes through.
        await sas.UploadAsync(new MemoryStream(bytes));
        var document = await Loans.ReadAsync(await CompleteAsync(session), HttpStatusCode.Created);
        Assert.Equal(1, document["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_the_user_who_opened_a_session_sees_or_completes_it_and_a_closed_application_takes_nothing()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Png, 20_000);
        var session = await OpenAsync(id, Announce(bytes, type: "Other"));
        await Sas(session).UploadAsync(new MemoryStream(bytes));

        var colleague = Loans.As("lo2-b01", "B01", Role.LoanOfficer);
        await ProblemAsync(await CompleteAsync(session, colleague), HttpStatusCode.Forbidden);
        await ProblemAsync(await colleague.GetAsync($"/api/applications/{id}/documents/upload-sessions/{session["id"]}"), HttpStatusCode.Forbidden);
        await ProblemAsync(await Loans.As("lo-b02", "B02", Role.LoanOfficer).PostAsync($"/api/applications/{id}/documents/upload-sessions", Loans.Json(Announce(bytes))), HttpStatusCode.Forbidden);

        // Withdrawn before completion: refused, and the uploaded file does not stay behind.
        await Loans.CommandAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "Borrower changed plans" });
        await ProblemAsync(await CompleteAsync(session), HttpStatusCode.Conflict);
        Assert.Empty(await Documents.BlobsAsync("B01", id));
        await ProblemAsync(await Loans.Officer.PostAsync($"/api/applications/{id}/documents/upload-sessions", Loans.Json(Announce(bytes, type: "Other"))), HttpStatusCode.Conflict);
        Assert.Empty(await Documents.ListAsync(Loans.Officer, id));
    }

    [Fact]
    public async Task Two_completions_at_once_make_one_document()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 150_000);
        var session = await OpenAsync(id, Announce(bytes, type: "AppraisalReport"));
        await Sas(session).UploadAsync(new MemoryStream(bytes));

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => CompleteAsync(session)));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.StatusCode));
        var ids = await Task.WhenAll(answers.Select(async a => (await Loans.ReadAsync(a, HttpStatusCode.Created))["id"]!.GetValue<string>()));
        Assert.Single(ids.Distinct());
        var listed = Assert.Single(await Documents.ListAsync(Loans.Officer, id));
        Assert.Equal(1, listed!["version"]!.GetValue<int>());
        Assert.Single(await Documents.RowsAsync(id), row => row.RowKey.StartsWith("ver-", StringComparison.Ordinal));
        Assert.Single(await Documents.RowsAsync(id), row => row.RowKey.StartsWith("audit-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Opening_a_session_twice_with_one_Idempotency_Key_answers_the_same_session()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Tiff, 10_000);

        var first = await OpenAsync(id, Announce(bytes), idempotencyKey: "session-key-1");
        var second = await OpenAsync(id, Announce(bytes), idempotencyKey: "session-key-1");

        Assert.Equal(first["id"]!.ToString(), second["id"]!.ToString());
        Assert.Equal(first["uploadUrl"]!.ToString(), second["uploadUrl"]!.ToString());
        using var reused = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/documents/upload-sessions") { Content = Loans.Json(Announce(bytes, type: "IdCard")) };
        reused.Headers.Add("Idempotency-Key", "session-key-1");
        await ProblemAsync(await Loans.Officer.SendAsync(reused), HttpStatusCode.UnprocessableEntity);
    }

    public static TheoryData<string, string, HttpStatusCode> BadAnnouncements => new()
    {
        { """{"size":1000,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "type", HttpStatusCode.BadRequest },
        { """{"type":"Payslip","size":1000,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "type", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "size", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":0,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "size", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":999999999,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "size", HttpStatusCode.RequestEntityTooLarge },
        { """{"type":"IdCard","size":1000}""", "sha256", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":1000,"sha256":"X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="}""", "sha256", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":1000,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa","fileName":"../x.pdf"}""", "fileName", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":1000,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa","collateralItem":3}""", "collateralItem", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":1000,"sha256":"00000000000000000000000000000000000000000000000000000000000000aa","colour":"red"}""", "colour", HttpStatusCode.BadRequest },
        { """{"type":"IdCard","size":"big","sha256":"00000000000000000000000000000000000000000000000000000000000000aa"}""", "size", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(BadAnnouncements))]
    public async Task A_bad_announcement_is_a_problem_naming_the_field_and_opens_nothing(string body, string field, HttpStatusCode status)
    {
        var id = await Loans.OpenAsync();

        var response = await Loans.Officer.PostAsync($"/api/applications/{id}/documents/upload-sessions",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, status);
        Assert.True(problem["errors"] is JsonObject errors && errors.ContainsKey(field), problem.ToJsonString());
        Assert.DoesNotContain(await Documents.RowsAsync(id), row => row.RowKey.StartsWith("session-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DOC-NOSUCH234")]
    [InlineData("a%23b")]
    [InlineData("a%3Fb")]
    [InlineData("a%5Cb")]
    public async Task A_session_id_that_names_nothing_is_404_not_a_failure(string sessionId)
    {
        var id = await Loans.OpenAsync();

        await ProblemAsync(await Loans.Officer.GetAsync($"/api/applications/{id}/documents/upload-sessions/{sessionId}"), HttpStatusCode.NotFound);
        await ProblemAsync(await Loans.Officer.PostAsync($"/api/applications/{id}/documents/upload-sessions/{sessionId}/complete", null), HttpStatusCode.NotFound);
        await ProblemAsync(await Loans.Officer.GetAsync($"/api/applications/{id}/documents/{sessionId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_file_uploaded_but_never_completed_is_swept_like_any_unindexed_blob()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 10_000);
        var stale = await OpenAsync(id, Announce(bytes, type: "Other"));
        var fresh = await OpenAsync(id, Announce(bytes, type: "Other"));

        // The client may set metadata on its Put Blob: one file claims to be two hours old, the other a year ahead.
        await Sas(stale).UploadAsync(new MemoryStream(bytes), new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["uploadedat"] = DateTimeOffset.UtcNow.AddHours(-2).ToString("O") } });
        await Sas(fresh).UploadAsync(new MemoryStream(bytes), new BlobUploadOptions { Metadata = new Dictionary<string, string> { ["uploadedat"] = DateTimeOffset.UtcNow.AddYears(1).ToString("O") } });
        await App.RunTimerAsync("CreditFileSweep");

        // The old one is gone, so completing it says nothing is uploaded; the other (its creation time, not its claim, counts) is young and stays.
        Assert.Equal(["Other/" + fresh["id"]], (await Documents.BlobsAsync("B01", id)).Select(b => b.Name[(b.Name.IndexOf("/Other/", StringComparison.Ordinal) + 1)..]));
        await ProblemAsync(await CompleteAsync(stale), HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Created, (await CompleteAsync(fresh)).StatusCode);
    }
}
