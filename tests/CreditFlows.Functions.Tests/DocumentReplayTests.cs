using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs.Specialized;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// A retry with the same Idempotency-Key answers the first answer even when the application has moved on since, to a
/// state where the document could no longer be added: the retry asks what became of the first request, not to add
/// another document. (The checklist is off, so the application moves on without its scans.)
/// </summary>
public class DocumentReplayTests() : AppTestBase(new TestApp(settings: new Dictionary<string, string?>(Documents.Settings()) { ["Documents:EnforceChecklist"] = "false" }))
{
    private Loans Loans => field ??= new Loans(App);

    /// <summary>Takes a draft of 300,000 yuan (mortgage: the branch director's) to Approved.</summary>
    private async Task ApproveAsync(string id)
    {
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        await Loans.CommandAsync(Loans.Officer, id, "investigation", new JsonObject { ["investigation"] = Loans.Investigation(300_000m), ["submit"] = true });
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal("Approved", Loans.State(await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve())));
    }

    private async Task<HttpResponseMessage> OpenSessionAsync(string id, byte[] bytes, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/applications/{id}/documents/upload-sessions")
        {
            Content = Loans.Json(new JsonObject { ["type"] = "IdCard", ["size"] = bytes.Length, ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(bytes)) }),
        };
        request.Headers.Add("Idempotency-Key", key);
        return await Loans.Officer.SendAsync(request);
    }

    [Fact]
    public async Task An_upload_retried_after_the_application_moved_on_answers_the_first_upload()
    {
        var id = await Loans.OpenAsync(Loans.OpenBody(300_000m));
        var bytes = DocumentSamples.Bytes(FileKind.Pdf, 5_000);
        var key = Guid.NewGuid().ToString();
        var first = await Loans.ReadAsync(await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(bytes), idempotencyKey: key), HttpStatusCode.Created);

        await ApproveAsync(id); // the application file is closed now: a new ApplicationForm would be 409
        Assert.Equal(HttpStatusCode.Conflict, (await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(bytes))).StatusCode);

        var retry = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(bytes), idempotencyKey: key);
        var replayed = await Loans.ReadAsync(retry, HttpStatusCode.Created);
        Assert.Equal("true", retry.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first["id"]!.GetValue<string>(), replayed["id"]!.GetValue<string>());
        Assert.Single(await Documents.ListAsync(Loans.Officer, id));

        // Another branch's officer still learns nothing from the key.
        var outsider = Loans.As("lo-b01", "B02", CreditFlows.Domain.Identity.Role.LoanOfficer);
        Assert.Equal(HttpStatusCode.Forbidden, (await Documents.UploadAsync(outsider, id, "ApplicationForm", Documents.Content(bytes), idempotencyKey: key)).StatusCode);
    }

    [Fact]
    public async Task An_upload_session_retried_after_the_application_moved_on_answers_the_first_session_and_its_completion_the_document()
    {
        var id = await Loans.OpenAsync(Loans.OpenBody(300_000m));
        var bytes = DocumentSamples.Bytes(FileKind.Jpeg, 20_000);
        var key = Guid.NewGuid().ToString();
        var session = await Loans.ReadAsync(await OpenSessionAsync(id, bytes, key), HttpStatusCode.Created);
        await new BlockBlobClient(new Uri(session["uploadUrl"]!.GetValue<string>())).UploadAsync(new MemoryStream(bytes));
        var document = await Loans.ReadAsync(await Loans.Officer.PostAsync(session["completeUrl"]!.GetValue<string>(), null), HttpStatusCode.Created);

        await ApproveAsync(id); // an IdCard may no longer be added

        var reopened = await OpenSessionAsync(id, bytes, key);
        Assert.Equal(session["id"]!.GetValue<string>(), (await Loans.ReadAsync(reopened, HttpStatusCode.Created))["id"]!.GetValue<string>());
        Assert.Equal("true", reopened.Headers.GetValues("Idempotent-Replayed").Single());

        var completedAgain = await Loans.Officer.PostAsync(session["completeUrl"]!.GetValue<string>(), null);
        Assert.Equal(document["id"]!.GetValue<string>(), (await Loans.ReadAsync(completedAgain, HttpStatusCode.Created))["id"]!.GetValue<string>());
        Assert.Equal("true", completedAgain.Headers.GetValues("Idempotent-Replayed").Single());
    }
}
