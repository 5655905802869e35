using System.Net;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Documents;
using CreditFlows.Functions.Tests.Infrastructure;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Functions.Tests;

/// <summary>The credit file checklist gates the workflow; the application file is immutable once approved; post-loan documents come after disbursement.</summary>
public class DocumentWorkflowTests() : AppTestBase(new TestApp(settings: Documents.Settings()))
{
    private Loans Loans => field ??= new Loans(App);

    private static byte[] Scan(int n = 0) => DocumentSamples.Bytes(FileKind.Pdf, 3_000 + n);

    private async Task<JsonObject> ChecklistAsync(string id)
    {
        var response = await Loans.Officer.GetAsync($"/api/applications/{id}/checklist");
        return await Loans.ReadAsync(response, HttpStatusCode.OK);
    }

    private static string[] Missing(JsonObject checklist, string stage) =>
        checklist["stages"]!.AsArray().Single(s => s!["stage"]!.GetValue<string>() == stage)!["missing"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();

    [Fact]
    public async Task A_mortgage_moves_on_only_when_its_checklist_is_complete_and_the_refusal_names_what_is_missing()
    {
        var id = await Loans.OpenAsync(Loans.OpenBody(guarantee: "Mortgage"));
        await Loans.CommandAsync(Loans.Officer, id, "submit", null);
        var sendToReview = new JsonObject { ["investigation"] = Loans.Investigation(), ["submit"] = true };

        // Nothing uploaded: the investigation cannot go to review, and the refusal lists every missing type.
        var refused = await Loans.SendAsync(Loans.Officer, id, "investigation", sendToReview);
        var problem = await ProblemAsync(refused, HttpStatusCode.BadRequest);
        var missing = problem["errors"]!["documents"]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
        string[] investigationNeeds = ["ApplicationForm", "IdCard", "HouseholdRegister", "InvestigationReport", "CollateralPhoto", "PropertyCertificate", "AppraisalReport"];
        Assert.Equal(investigationNeeds.Length, missing.Length);
        Assert.All(investigationNeeds, type => Assert.Contains(missing, m => m.StartsWith(type + " is required", StringComparison.Ordinal)));
        Assert.Equal(2, (await Loans.GetAsync(id))["version"]!.GetValue<int>()); // nothing written
        Assert.Equal("Submitted", Loans.State(await Loans.GetAsync(id)));

        var checklist = await ChecklistAsync(id);
        Assert.False(checklist["complete"]!.GetValue<bool>());
        Assert.True(checklist["enforced"]!.GetValue<bool>());
        Assert.Equal(investigationNeeds.Order(), Missing(checklist, "Investigation").Order());
        Assert.Equal(["MortgageRegistrationCertificate", "LoanContract", "Iou"], Missing(checklist, "Contracted"));

        // Upload all but one: still refused, naming the one.
        var n = 0;
        foreach (var type in investigationNeeds.Where(t => t != "AppraisalReport"))
        {
            await Documents.UploadOkAsync(Loans.Officer, id, type, Scan(n++));
        }

        var stillRefused = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "investigation", sendToReview), HttpStatusCode.BadRequest);
        Assert.StartsWith("AppraisalReport is required", Assert.Single(stillRefused["errors"]!["documents"]!.AsArray())!.GetValue<string>());

        await Documents.UploadOkAsync(Loans.Officer, id, "AppraisalReport", Scan(n++));
        Assert.Equal("Review", Loans.State(await Loans.CommandAsync(Loans.Officer, id, "investigation", sendToReview)));
        Assert.Empty(Missing(await ChecklistAsync(id), "Investigation"));

        // A return is never held up by documents; approval freezes the application file.
        await Loans.CommandAsync(Loans.Reviewer, id, "review", new JsonObject { ["outcome"] = "Pass" });
        Assert.Equal("Approved", Loans.State(await Loans.CommandAsync(Loans.Director, id, "decision", Loans.Approve())));
        var frozen = await ProblemAsync(await Documents.UploadAsync(Loans.Officer, id, "PropertyCertificate", Documents.Content(Scan(99))), HttpStatusCode.Conflict);
        Assert.Contains("immutable", frozen["detail"]!.GetValue<string>());

        // Contracted needs the signed loan contract, the IOU and the mortgage registration certificate before the hand-off.
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        await Loans.CommandAsync(Loans.Officer, id, "contract", new JsonObject { ["contractNumber"] = "HT-DOC-1", ["signedOn"] = today });
        var handoff = await ProblemAsync(await Loans.SendAsync(Loans.Officer, id, "handoff", new JsonObject()), HttpStatusCode.BadRequest);
        Assert.Equal(3, handoff["errors"]!["documents"]!.AsArray().Count);
        foreach (var type in new[] { "LoanContract", "Iou", "MortgageRegistrationCertificate" })
        {
            await Documents.UploadOkAsync(Loans.Officer, id, type, Scan(n++));
        }

        Assert.Equal("ReadyForDisbursement", Loans.State(await Loans.CommandAsync(Loans.Officer, id, "handoff", new JsonObject())));
        Assert.True((await ChecklistAsync(id))["complete"]!.GetValue<bool>());

        // After the hand-off the contract documents are frozen too; post-loan documents wait for the disbursement.
        await ProblemAsync(await Documents.UploadAsync(Loans.Officer, id, "LoanContract", Documents.Content(Scan(98))), HttpStatusCode.Conflict);
        await ProblemAsync(await Documents.UploadAsync(Loans.Officer, id, "PostLoanInspectionForm", Documents.Content(Scan(97))), HttpStatusCode.Conflict);
        await Loans.CommandAsync(Loans.CoreBanking, id, "disbursement", new JsonObject { ["loanAccountNumber"] = "6228-DOC-1", ["amount"] = 500_000m, ["disbursedOn"] = today });
        await Documents.UploadOkAsync(Loans.Officer, id, "PostLoanInspectionForm", Scan(n++));
        await Documents.UploadOkAsync(Loans.Officer, id, "CollectionEvidence", DocumentSamples.Bytes(FileKind.Jpeg, 5_000));
        Assert.Equal(12, (await Documents.ListAsync(Loans.Officer, id)).Count);
    }

    [Fact]
    public async Task A_credit_loan_with_the_checklist_not_enforced_is_shown_the_checklist_but_not_held_up()
    {
        await using var lenient = new TestApp(settings: new Dictionary<string, string?> { ["Documents:EnforceChecklist"] = "false" });
        lenient.Start();
        var loans = new Loans(lenient);
        var id = await loans.ToReviewAsync(guarantee: "Credit");

        var checklist = await loans.Officer.GetAsync($"/api/applications/{id}/checklist");
        var body = await Loans.ReadAsync(checklist, HttpStatusCode.OK);
        Assert.False(body["enforced"]!.GetValue<bool>());
        Assert.Contains("IdCard", Missing(body, "Investigation"));
        Assert.DoesNotContain("PropertyCertificate", Missing(body, "Investigation"));
    }
}
