using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>Who may list, download and delete credit files, and the access log that records it.</summary>
public class DocumentAccessTests() : AppTestBase(new TestApp(settings: Documents.Settings()))
{
    private Loans Loans => field ??= new Loans(App);

    [Fact]
    public async Task Only_the_branch_or_HQ_lists_and_downloads_and_every_download_is_recorded()
    {
        var id = await Loans.OpenAsync();
        var bytes = DocumentSamples.Bytes(FileKind.Tiff, 50_000);
        var v1 = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", DocumentSamples.Bytes(FileKind.Pdf, 4_000));
        var v2 = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", bytes);
        var documentId = v2["id"]!.GetValue<string>();
        var content = $"/api/applications/{id}/documents/{documentId}/content";

        var otherBranch = Loans.As("lo-b02", "B02", Role.LoanOfficer);
        await ProblemAsync(await otherBranch.GetAsync($"/api/applications/{id}/documents"), HttpStatusCode.Forbidden);
        await ProblemAsync(await otherBranch.GetAsync(content), HttpStatusCode.Forbidden);
        await ProblemAsync(await Loans.As("risk-b02", "B02", Role.RiskManager).GetAsync(content), HttpStatusCode.Forbidden);

        var auditor = Loans.As("auditor", "HQ", Role.Auditor);
        Assert.Equal(bytes, await (await auditor.GetAsync(content)).Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes, await (await Loans.Reviewer.GetAsync(content)).Content.ReadAsByteArrayAsync());
        Assert.Equal(2, (await Documents.ListAsync(Loans.As("credit-hq", "HQ", Role.HqCreditDept), id)).Count);

        var response = await auditor.GetAsync($"/api/applications/{id}/documents/audit");
        var log = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["Upload:lo-b01:1", "Upload:lo-b01:2", "Download:auditor:2", "Download:rv-b01:2"],
            log.Select(e => $"{e!["action"]}:{e["actorId"]}:{e["version"]}"));
        Assert.All(log.Skip(2), e => Assert.Equal(documentId, e!["documentId"]!.GetValue<string>()));
        Assert.Equal(v1["id"]!.GetValue<string>(), log[0]!["documentId"]!.GetValue<string>());

        // Refused downloads are not recorded; a loan officer does not read the access log.
        await ProblemAsync(await Loans.Officer.GetAsync($"/api/applications/{id}/documents/audit"), HttpStatusCode.Forbidden);
        await ProblemAsync(await Loans.As("lo-b02", "B02", Role.LoanOfficer).GetAsync($"/api/applications/{id}/documents/DOC-NOSUCH/content"), HttpStatusCode.Forbidden);
        await ProblemAsync(await auditor.GetAsync($"/api/applications/{id}/documents/DOC-NOSUCH/content"), HttpStatusCode.NotFound);
        var after = JsonNode.Parse(await (await auditor.GetAsync($"/api/applications/{id}/documents/audit")).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(4, after.Count);
    }

    [Fact]
    public async Task Only_the_uploader_deletes_only_before_submission_and_the_delete_is_recorded()
    {
        var id = await Loans.OpenAsync();
        var keep = await Documents.UploadOkAsync(Loans.Officer, id, "ApplicationForm", DocumentSamples.Bytes(FileKind.Pdf, 4_000));
        var drop = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", DocumentSamples.Bytes(FileKind.Png, 4_000));
        var dropUrl = $"/api/applications/{id}/documents/{drop["id"]}";

        await ProblemAsync(await Loans.As("lo-b01-2", "B01", Role.LoanOfficer).DeleteAsync(dropUrl), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, (await Loans.Officer.DeleteAsync(dropUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Loans.Officer.DeleteAsync(dropUrl)).StatusCode); // a repeat finishes, changes nothing

        var listed = await Documents.ListAsync(Loans.Officer, id);
        Assert.Equal([keep["id"]!.GetValue<string>()], listed.Select(d => d!["id"]!.GetValue<string>()));
        Assert.Single(await Documents.BlobsAsync("B01", id));
        await ProblemAsync(await Loans.Officer.GetAsync(dropUrl + "/content"), HttpStatusCode.NotFound);

        // A new upload of the type does not reuse the deleted version's number.
        var again = await Documents.UploadOkAsync(Loans.Officer, id, "IdCard", DocumentSamples.Bytes(FileKind.Png, 4_001));
        Assert.Equal(2, again["version"]!.GetValue<int>());

        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        var kept = await ProblemAsync(await Loans.Officer.DeleteAsync($"/api/applications/{id}/documents/{keep["id"]}"), HttpStatusCode.Conflict);
        Assert.Contains("before the application is submitted", kept["detail"]!.GetValue<string>());

        var log = JsonNode.Parse(await (await Loans.Director.GetAsync($"/api/applications/{id}/documents/audit")).Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal(["Upload", "Upload", "Delete", "Upload"], log.Select(e => e!["action"]!.GetValue<string>()));
        Assert.Equal(2, (await Documents.BlobsAsync("B01", id)).Count);
    }
}
