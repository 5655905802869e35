using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>Every bad upload is a problem+json naming what is wrong, and leaves no blob (not even staged blocks) and no index row.</summary>
public class DocumentRefusalTests : AppTestBase
{
    public DocumentRefusalTests()
        : this(Documents.Settings(maxUploadBytes: 1024 * 1024))
    {
    }

    protected DocumentRefusalTests(Dictionary<string, string?> settings)
        : base(new TestApp(settings: settings))
    {
    }

    private Loans Loans => field ??= new Loans(App);

    private async Task<JsonObject> RefusedAsync(string id, HttpResponseMessage response, HttpStatusCode status, string field, string branch = "B01")
    {
        var problem = await ProblemAsync(response, status);
        if (field.Length > 0)
        {
            Assert.True(problem["errors"] is JsonObject errors && errors.ContainsKey(field), $"The problem should name {field}: {problem.ToJsonString()}");
        }

        Assert.Empty(await Documents.BlobsAsync(branch, id));
        Assert.Empty(await Documents.RowsAsync(id));
        return problem;
    }

    [Fact]
    public async Task A_renamed_executable_is_refused_415_before_anything_is_stored()
    {
        var id = await Loans.OpenAsync();
        var response = await Documents.UploadAsync(Loans.Officer, id, "InvestigationReport", Documents.Content(DocumentSamples.Executable(200_000), "application/pdf"), "fileName=report.pdf");

        var problem = await RefusedAsync(id, response, HttpStatusCode.UnsupportedMediaType, "file");
        Assert.Contains("not PDF, JPEG, PNG, TIFF or HEIC", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_pdf_header_followed_by_garbage_is_refused_after_streaming_and_its_blocks_are_discarded()
    {
        var id = await Loans.OpenAsync();
        var response = await Documents.UploadAsync(Loans.Officer, id, "ApplicationForm", Documents.Content(DocumentSamples.PdfHeaderThenGarbage(300_000), "application/pdf"));

        var problem = await RefusedAsync(id, response, HttpStatusCode.BadRequest, "file");
        Assert.Contains("truncated", problem["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(FileKind.Jpeg)]
    [InlineData(FileKind.Png)]
    [InlineData(FileKind.Heic)]
    public async Task A_truncated_file_is_refused(FileKind kind)
    {
        var id = await Loans.OpenAsync();
        var response = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(DocumentSamples.Bytes(kind, 200_000)[..150_000]));

        await RefusedAsync(id, response, HttpStatusCode.BadRequest, "file");
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        var id = await Loans.OpenAsync();
        var response = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content([]));

        var problem = await RefusedAsync(id, response, HttpStatusCode.BadRequest, "file");
        Assert.Contains("empty", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_oversized_file_is_413_whether_its_length_is_declared_or_not()
    {
        var id = await Loans.OpenAsync();
        var declared = await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 1024 * 1024 + 1)));
        await RefusedAsync(id, declared, HttpStatusCode.RequestEntityTooLarge, "");

        // Chunked: no Content-Length, so the limit is found while streaming, after blocks were staged.
        var chunked = Documents.Chunked(DocumentSamples.Stream(FileKind.Pdf, 3 * 1024 * 1024), "application/pdf");
        var streamed = await Documents.UploadAsync(Loans.Officer, id, "IdCard", chunked, chunked: true);
        await RefusedAsync(id, streamed, HttpStatusCode.RequestEntityTooLarge, "");
    }

    [Fact]
    public async Task Content_that_contradicts_its_declared_type_or_name_is_refused()
    {
        var id = await Loans.OpenAsync();
        var png = DocumentSamples.Bytes(FileKind.Png, 5_000);

        await RefusedAsync(id, await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(png, "application/pdf")), HttpStatusCode.UnsupportedMediaType, "Content-Type");
        await RefusedAsync(id, await Documents.UploadAsync(Loans.Officer, id, "IdCard", Documents.Content(png), "fileName=id.pdf"), HttpStatusCode.UnsupportedMediaType, "fileName");
        var multipart = new MultipartFormDataContent { { new ByteArrayContent(png), "file", "id.png" } };
        await RefusedAsync(id, await Documents.UploadAsync(Loans.Officer, id, "IdCard", multipart), HttpStatusCode.UnsupportedMediaType, "Content-Type");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Passport")]
    [InlineData("2")]
    public async Task A_missing_or_unknown_type_is_refused_naming_type(string? type)
    {
        var id = await Loans.OpenAsync();
        var response = await Documents.UploadAsync(Loans.Officer, id, type, Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 5_000)));

        var problem = await RefusedAsync(id, response, HttpStatusCode.BadRequest, "type");
        Assert.Contains("IdCard", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_application_in_another_branch_is_403()
    {
        var id = await Loans.OpenAsync();
        var otherBranch = Loans.As("lo-b02", "B02", Role.LoanOfficer);

        await RefusedAsync(id, await Documents.UploadAsync(otherBranch, id, "IdCard", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 5_000))), HttpStatusCode.Forbidden, "");
    }

    [Fact]
    public async Task A_closed_application_takes_no_documents()
    {
        var id = await Loans.OpenAsync();
        await Loans.CommandAsync(Loans.Officer, id, "withdraw", new JsonObject { ["reason"] = "Borrower changed plans" });

        var problem = await RefusedAsync(id, await Documents.UploadAsync(Loans.Officer, id, "Other", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 5_000))), HttpStatusCode.Conflict, "");
        Assert.Contains("Withdrawn", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unknown_application_is_404_and_a_reader_may_not_upload()
    {
        var response = await Documents.UploadAsync(Loans.Officer, "LA-20260101-NOSUCH", "IdCard", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 5_000)));
        await ProblemAsync(response, HttpStatusCode.NotFound);

        var id = await Loans.OpenAsync();
        var auditor = Loans.As("auditor", "HQ", Role.Auditor);
        await RefusedAsync(id, await Documents.UploadAsync(auditor, id, "IdCard", Documents.Content(DocumentSamples.Bytes(FileKind.Pdf, 5_000))), HttpStatusCode.Forbidden, "");
    }
}

/// <summary>The same refusals with every upload sent as staged blocks (the way of chunked and large bodies).</summary>
public class DocumentRefusalInBlocksTests() : DocumentRefusalTests(Documents.Settings(maxUploadBytes: 1024 * 1024, singleRequestMaxBytes: 0));
