using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Documents;
using CreditFlows.Tests.Samples;

namespace CreditFlows.Domain.Tests;

public class DocumentContentTests
{
    public static TheoryData<FileKind> Kinds => new(Enum.GetValues<FileKind>());

    private static Inspection Inspect(byte[] bytes, int chunk = int.MaxValue)
    {
        var inspector = new ContentInspector();
        for (var at = 0; at < bytes.Length; at += chunk)
        {
            inspector.Append(bytes.AsSpan(at, Math.Min(chunk, bytes.Length - at)));
        }

        return inspector.Finish();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_accepted_format_is_recognised_by_its_bytes(FileKind kind)
    {
        var verdict = Inspect(DocumentSamples.Bytes(kind, 20_000));

        Assert.Equal(ContentVerdict.Accepted, verdict.Verdict);
        Assert.Equal(kind, verdict.Kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void The_verdict_does_not_depend_on_how_the_bytes_arrive(FileKind kind)
    {
        var bytes = DocumentSamples.Bytes(kind, 9_001);
        foreach (var chunk in new[] { 1, 3, 7, 16, 4096 })
        {
            Assert.Equal(kind, Inspect(bytes, chunk).Kind);
            Assert.Equal(ContentVerdict.Damaged, Inspect(bytes[..^40], chunk).Verdict);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_file_cut_short_is_damaged(FileKind kind)
    {
        var bytes = DocumentSamples.Bytes(kind, 50_000);

        var verdict = Inspect(bytes[..30_000]);

        Assert.Equal(ContentVerdict.Damaged, verdict.Verdict);
        Assert.Contains("truncated", verdict.Detail);
    }

    [Fact]
    public void A_renamed_executable_is_refused_on_its_first_bytes()
    {
        var inspector = new ContentInspector();
        inspector.Append(DocumentSamples.Executable().AsSpan(0, ContentInspector.HeaderLength));

        var verdict = inspector.Identify();

        Assert.Equal(ContentVerdict.NotAccepted, verdict.Verdict);
        Assert.Null(inspector.Kind);
    }

    [Fact]
    public void The_small_pdf_of_the_README_walk_through_is_accepted() =>
        Assert.Equal(FileKind.Pdf, Inspect("%PDF-1.4\n1 0 obj <<>> endobj\nstartxref\n9\n%%EOF\n"u8.ToArray()).Kind);

    [Fact]
    public void A_pdf_header_followed_by_garbage_is_damaged() =>
        Assert.Equal(ContentVerdict.Damaged, Inspect(DocumentSamples.PdfHeaderThenGarbage()).Verdict);

    [Fact]
    public void An_empty_file_is_empty_and_a_few_bytes_are_not_a_format()
    {
        Assert.Equal(ContentVerdict.Empty, Inspect([]).Verdict);
        Assert.Equal(ContentVerdict.NotAccepted, Inspect("%PD"u8.ToArray()).Verdict);
        Assert.Equal(ContentVerdict.Undecided, new ContentInspector().Identify().Verdict);
    }

    [Fact]
    public void Text_and_other_formats_are_not_accepted()
    {
        Assert.Equal(ContentVerdict.NotAccepted, Inspect("Just some text that a phone sent by mistake."u8.ToArray()).Verdict);
        Assert.Equal(ContentVerdict.NotAccepted, Inspect([0x50, 0x4B, 0x03, 0x04, .. DocumentSamples.Filler(100)]).Verdict); // a .docx (zip)
        byte[] avif = [0, 0, 0, 24, .. "ftypavif\0\0\0\0mif1avif"u8, .. DocumentSamples.Filler(100)];
        Assert.Equal(ContentVerdict.NotAccepted, Inspect(avif).Verdict);
    }

    [Theory]
    [InlineData(null, FileKind.Pdf, true)]
    [InlineData("application/octet-stream", FileKind.Jpeg, true)]
    [InlineData("image/jpeg", FileKind.Jpeg, true)]
    [InlineData("image/jpg", FileKind.Jpeg, true)]
    [InlineData("application/pdf; charset=binary", FileKind.Pdf, true)]
    [InlineData("application/pdf", FileKind.Png, false)]
    [InlineData("application/x-msdownload", FileKind.Pdf, false)]
    public void A_declared_type_must_fit_the_content(string? declared, FileKind kind, bool fits) =>
        Assert.Equal(fits, FileKinds.DeclaredTypeFits(declared, kind));

    [Theory]
    [InlineData("合同.PDF", FileKind.Pdf)]
    [InlineData("IMG_0001.HEIC", FileKind.Heic)]
    [InlineData("scan.jpeg", FileKind.Jpeg)]
    [InlineData("setup.exe", null)]
    [InlineData("noextension", null)]
    public void A_file_name_claims_a_format_by_its_extension(string name, FileKind? kind) =>
        Assert.Equal(kind, FileKinds.FromExtension(name));
}

public class DocumentRuleTests
{
    [Theory]
    [InlineData(ApplicationState.Draft, DocumentType.PropertyCertificate, true)]
    [InlineData(ApplicationState.Authorisation, DocumentType.AppraisalReport, true)]
    [InlineData(ApplicationState.Approved, DocumentType.PropertyCertificate, false)]
    [InlineData(ApplicationState.Disbursed, DocumentType.IdCard, false)]
    [InlineData(ApplicationState.Investigation, DocumentType.LoanContract, false)]
    [InlineData(ApplicationState.Approved, DocumentType.LoanContract, true)]
    [InlineData(ApplicationState.Contracted, DocumentType.Iou, true)]
    [InlineData(ApplicationState.ReadyForDisbursement, DocumentType.Iou, false)]
    [InlineData(ApplicationState.Contracted, DocumentType.PostLoanInspectionForm, false)]
    [InlineData(ApplicationState.Disbursed, DocumentType.PostLoanInspectionForm, true)]
    [InlineData(ApplicationState.Disbursed, DocumentType.CollectionEvidence, true)]
    [InlineData(ApplicationState.Disbursed, DocumentType.Other, true)]
    [InlineData(ApplicationState.Rejected, DocumentType.Other, false)]
    [InlineData(ApplicationState.Withdrawn, DocumentType.ApplicationForm, false)]
    [InlineData(ApplicationState.Expired, DocumentType.IdCard, false)]
    public void Application_file_is_immutable_after_approval_and_each_type_has_its_phase(ApplicationState state, DocumentType type, bool allowed)
    {
        var refusal = Record.Exception(() => DocumentRules.CheckUpload(state, type));

        Assert.Equal(allowed, refusal is null);
        if (refusal is not null)
        {
            Assert.Equal(DocumentRefusalKind.WrongState, Assert.IsType<DocumentRefusal>(refusal).Kind);
        }
    }

    [Fact]
    public void Only_the_uploader_deletes_and_only_before_submission()
    {
        DocumentRules.CheckDelete(ApplicationState.Draft, "lo-b01", "lo-b01");
        Assert.Equal(DocumentRefusalKind.NotPermitted, Assert.Throws<DocumentRefusal>(() => DocumentRules.CheckDelete(ApplicationState.Draft, "lo-b01", "lo-b99")).Kind);
        Assert.Equal(DocumentRefusalKind.WrongState, Assert.Throws<DocumentRefusal>(() => DocumentRules.CheckDelete(ApplicationState.Submitted, "lo-b01", "lo-b01")).Kind);
    }
}

public class ChecklistTests
{
    private static readonly Checklist Default = Checklist.Default;

    [Fact]
    public void A_mortgage_investigation_needs_property_certificate_appraisal_and_collateral_photos()
    {
        var required = Default.Required(ApplicationState.Investigation, Product.SmallEnterprise, GuaranteeType.Mortgage);

        Assert.Equal(
            [DocumentType.ApplicationForm, DocumentType.IdCard, DocumentType.InvestigationReport, DocumentType.CollateralPhoto,
                DocumentType.PropertyCertificate, DocumentType.AppraisalReport],
            required);
    }

    [Fact]
    public void Farmers_also_need_the_household_register_and_credit_loans_no_collateral_evidence()
    {
        var required = Default.Required(ApplicationState.Investigation, Product.FarmerMicroCredit, GuaranteeType.Credit);

        Assert.Contains(DocumentType.HouseholdRegister, required);
        Assert.DoesNotContain(DocumentType.PropertyCertificate, required);
    }

    [Fact]
    public void Contracted_needs_the_loan_contract_and_iou_and_for_mortgages_the_registration_certificate()
    {
        Assert.Equal([DocumentType.MortgageRegistrationCertificate, DocumentType.LoanContract, DocumentType.Iou],
            Default.Required(ApplicationState.Contracted, Product.FarmerHousehold, GuaranteeType.Mortgage));
        Assert.Equal([DocumentType.GuaranteeContract, DocumentType.LoanContract, DocumentType.Iou],
            Default.Required(ApplicationState.Contracted, Product.FarmerHousehold, GuaranteeType.Guarantee));
    }

    [Fact]
    public void An_investigation_submitted_straight_from_submitted_leaves_both_stages()
    {
        Assert.Equal([ApplicationState.Submitted, ApplicationState.Investigation], Checklist.StagesLeft(ApplicationState.Submitted, ApplicationState.Review));
        Assert.Equal([ApplicationState.Contracted], Checklist.StagesLeft(ApplicationState.Contracted, ApplicationState.ReadyForDisbursement));
    }

    [Theory]
    [InlineData(ApplicationState.Investigation, ApplicationState.Investigation)] // a saved investigation
    [InlineData(ApplicationState.Review, ApplicationState.Investigation)] // a return
    [InlineData(ApplicationState.Authorisation, ApplicationState.Investigation)]
    [InlineData(ApplicationState.Investigation, ApplicationState.Withdrawn)]
    [InlineData(ApplicationState.Authorisation, ApplicationState.Rejected)]
    [InlineData(ApplicationState.Approved, ApplicationState.Expired)]
    public void Returns_stays_and_closings_are_never_held_up_by_documents(ApplicationState from, ApplicationState to)
    {
        Assert.Empty(Checklist.StagesLeft(from, to));
        Assert.False(Default.Gates(from, to, Product.FarmerHousehold, GuaranteeType.Mortgage));
    }

    [Fact]
    public void Missing_documents_are_named_one_problem_each()
    {
        var present = new HashSet<DocumentType> { DocumentType.ApplicationForm, DocumentType.IdCard, DocumentType.InvestigationReport, DocumentType.HouseholdRegister, DocumentType.CollateralPhoto };

        var missing = Default.Missing(ApplicationState.Submitted, ApplicationState.Review, Product.FarmerHousehold, GuaranteeType.Mortgage, present);

        Assert.All(missing, m => Assert.Equal("documents", m.Field));
        Assert.Equal(2, missing.Count);
        Assert.StartsWith("PropertyCertificate is required", missing[0].Problem);
        Assert.StartsWith("AppraisalReport is required", missing[1].Problem);
        Assert.Empty(Default.Missing(ApplicationState.Submitted, ApplicationState.Review, Product.FarmerHousehold, GuaranteeType.Mortgage,
            [.. present, DocumentType.PropertyCertificate, DocumentType.AppraisalReport]));
    }

    [Fact]
    public void A_configured_checklist_replaces_the_default_and_evaluates_what_is_there()
    {
        var checklist = new Checklist([new ChecklistRule(ApplicationState.Draft, Product.IndividualBusiness, null, [DocumentType.IdCard])]);

        Assert.Empty(checklist.Required(ApplicationState.Investigation, Product.IndividualBusiness, GuaranteeType.Mortgage));
        Assert.Empty(checklist.Required(ApplicationState.Draft, Product.FarmerHousehold, GuaranteeType.Credit));
        var stages = checklist.Evaluate(Product.IndividualBusiness, GuaranteeType.Credit, [(DocumentType.IdCard, "DOC-1"), (DocumentType.Other, "DOC-2")]);
        var draft = Assert.Single(stages);
        Assert.True(draft.Complete);
        Assert.Equal(["DOC-1"], Assert.Single(draft.Items).DocumentIds);
    }
}

public class DigestHeaderTests
{
    // RFC 9530's own example: the SHA-256 of {"hello": "world"}.
    private const string Example = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
    private const string ExampleHex = "5f8f04f6a3a892aaabbddb6cf273894493773960d4a325b105fee46eef4304f1";

    [Theory]
    [InlineData(Example)]
    [InlineData("  " + Example + " ")]
    [InlineData("sha-512=:AAAA:, " + Example)]
    [InlineData("unixsum=:AAAA:,\t" + Example)]
    [InlineData("sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:, " + Example)] // the last member of a name wins (RFC 8941)
    public void The_sha_256_member_is_read_as_hex(string field)
    {
        Assert.Equal((ExampleHex, null), DigestHeader.Parse(field));
    }

    [Fact]
    public void Format_writes_what_Parse_reads()
    {
        Assert.Equal(Example, DigestHeader.Format(ExampleHex));
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("any file"u8));
        Assert.Equal(hex, DigestHeader.Parse(DigestHeader.Format(hex)).Sha256);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha-256")]
    [InlineData("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")] // a token, not a byte sequence
    [InlineData("SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")] // keys are lowercase
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE:")] // unpadded
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=AAAA:")] // 35 bytes
    [InlineData("sha-256=:AAAA:")]
    [InlineData("sha-256=:!!!!qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")]
    [InlineData("sha-512=:AAAA:")] // no sha-256 to check
    [InlineData(Example + ",")] // an empty member
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:;a=1")] // parameters are not expected here
    public void A_field_without_a_well_formed_sha_256_is_a_problem(string field)
    {
        var (sha256, problem) = DigestHeader.Parse(field);

        Assert.Null(sha256);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }
}
