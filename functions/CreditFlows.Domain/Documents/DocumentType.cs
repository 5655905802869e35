using System.Text.Json.Serialization;
using CreditFlows.Domain.Applications;

namespace CreditFlows.Domain.Documents;

/// <summary>What a scanned document is. Values are explicit and serialised by name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DocumentType>))]
public enum DocumentType
{
    ApplicationForm = 1,
    IdCard = 2,
    HouseholdRegister = 3,
    InvestigationReport = 4,
    CollateralPhoto = 5,
    PropertyCertificate = 6,
    AppraisalReport = 7,
    MortgageRegistrationCertificate = 8,
    GuaranteeContract = 9,
    LoanContract = 10,
    Iou = 11,
    PostLoanInspectionForm = 12,
    CollectionEvidence = 13,
    Other = 99,
}

/// <summary>The part of a loan's life a document type belongs to; it decides when the type may be uploaded.</summary>
public enum DocumentPhase
{
    /// <summary>The application file: until approval; immutable once the application is Approved.</summary>
    Application = 1,

    /// <summary>Contracts, the IOU and the mortgage registration: after approval, until the hand-off to core banking.</summary>
    Contract = 2,

    /// <summary>Post-loan inspection forms and collection evidence: after disbursement, for the life of the loan.</summary>
    PostLoan = 3,

    /// <summary><see cref="DocumentType.Other"/>: any time the application is open.</summary>
    Any = 4,
}

/// <summary>Why a document request was refused; the API turns each kind into its status code. Nothing is left stored.</summary>
public enum DocumentRefusalKind
{
    /// <summary>Bad or missing input, an empty or damaged file (400).</summary>
    Invalid = 1,

    /// <summary>Not allowed in the application's state: closed, immutable after approval, not yet disbursed (409).</summary>
    WrongState = 2,

    /// <summary>Role, branch scope or not the uploader (403).</summary>
    NotPermitted = 3,

    /// <summary>The content is not an accepted format, or contradicts the declared type (415).</summary>
    UnsupportedContent = 4,

    /// <summary>Larger than a document may be (413).</summary>
    TooLarge = 5,

    /// <summary>Nothing to act on yet: an upload session whose file has not been uploaded (409).</summary>
    NotYet = 6,
}

public sealed class DocumentRefusal(DocumentRefusalKind kind, string field, string message) : Exception(message)
{
    public DocumentRefusalKind Kind { get; } = kind;

    /// <summary>The request field at fault (a query parameter, <c>file</c> for the body), or empty.</summary>
    public string Field { get; } = field;
}

/// <summary>When documents may be added and removed.</summary>
public static class DocumentRules
{
    public static DocumentPhase PhaseOf(DocumentType type) => type switch
    {
        DocumentType.MortgageRegistrationCertificate or DocumentType.GuaranteeContract or DocumentType.LoanContract or DocumentType.Iou => DocumentPhase.Contract,
        DocumentType.PostLoanInspectionForm or DocumentType.CollectionEvidence => DocumentPhase.PostLoan,
        DocumentType.Other => DocumentPhase.Any,
        _ => DocumentPhase.Application,
    };

    /// <summary>Rejected, withdrawn and expired applications are closed: nothing is added to them.</summary>
    public static bool IsClosed(ApplicationState state) =>
        state is ApplicationState.Rejected or ApplicationState.Withdrawn or ApplicationState.Expired;

    /// <summary>Throws <see cref="DocumentRefusal"/> (409) when a document of <paramref name="type"/> may not be added now.</summary>
    public static void CheckUpload(ApplicationState state, DocumentType type)
    {
        if (IsClosed(state))
        {
            throw new DocumentRefusal(DocumentRefusalKind.WrongState, "", $"The application is {state}: it is closed, and no document can be added to it.");
        }

        var allowed = PhaseOf(type) switch
        {
            DocumentPhase.Application => state is ApplicationState.Draft or ApplicationState.Submitted or ApplicationState.Investigation
                or ApplicationState.Review or ApplicationState.Authorisation,
            DocumentPhase.Contract => state is ApplicationState.Approved or ApplicationState.Contracted,
            DocumentPhase.PostLoan => state is ApplicationState.Disbursed,
            _ => true,
        };
        if (!allowed)
        {
            throw new DocumentRefusal(DocumentRefusalKind.WrongState, "type", PhaseOf(type) switch
            {
                DocumentPhase.Application => $"{type} belongs to the application file, which is immutable once the application is approved (it is {state}).",
                DocumentPhase.Contract => $"{type} is a contract document: it can be added after approval and before the hand-off to core banking (the application is {state}).",
                _ => $"{type} is a post-loan document: it can be added once the loan is disbursed (the application is {state}).",
            });
        }
    }

    /// <summary>Only the uploader may delete, and only while the application is a Draft (before submission).</summary>
    public static void CheckDelete(ApplicationState state, string uploaderId, string actorId)
    {
        if (state != ApplicationState.Draft)
        {
            throw new DocumentRefusal(DocumentRefusalKind.WrongState, "", $"Documents can be deleted only before the application is submitted; it is {state}, so this one is kept.");
        }

        if (!string.Equals(uploaderId, actorId, StringComparison.Ordinal))
        {
            throw new DocumentRefusal(DocumentRefusalKind.NotPermitted, "", "Only the person who uploaded a document may delete it.");
        }
    }
}
