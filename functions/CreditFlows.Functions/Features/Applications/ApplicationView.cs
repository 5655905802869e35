using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>An application as the API shows it. <see cref="Version"/> is also the ETag for If-Match.</summary>
public sealed record ApplicationView(
    string Id,
    BranchId Branch,
    ApplicationState State,
    int Version,
    string OfficerId,
    string OfficerName,
    Borrower Borrower,
    Product Product,
    GuaranteeType GuaranteeType,
    Money Amount,
    int TermMonths,
    decimal AnnualRatePercent,
    string Purpose,
    IReadOnlyList<RelatedEmployee> RelatedEmployees,
    bool EmployeeRelated,
    Investigation? Investigation,
    string? InvestigatorId,
    int Round,
    IReadOnlyList<ReviewRecord> Reviews,
    Domain.Applications.Route? Route,
    string? MatrixVersion,
    ApprovalTier? CurrentTier,
    IReadOnlyList<TierDecision> Decisions,
    RejectionReason? RejectionReason,
    string? ClosingComment,
    IReadOnlyList<ResponsibilityEntry> Responsibility,
    ContractRecord? Contract,
    DisbursementRecord? Disbursement,
    DateOnly? FirstInspectionDue,
    InspectionRecord? FirstInspection,
    Awaiting? Awaiting,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastActionAt,
    CommitteeVote? Committee)
{
    public static ApplicationView From(LoanApplication a, WorkflowPolicy policy) => new(
        a.Id, a.Branch, a.State, a.Version, a.OfficerId, a.OfficerName, a.Borrower, a.Product, a.GuaranteeType, a.Terms.Amount,
        a.Terms.TermMonths, a.Terms.AnnualRatePercent, a.Purpose, a.RelatedEmployees, a.IsEmployeeRelated, a.Investigation,
        a.InvestigatorId, a.Round, a.Reviews, a.Route, a.MatrixVersion, a.TierNow, a.Decisions, a.RejectionReason, a.ClosingComment,
        a.Responsibility, a.Contract, a.Disbursement, a.FirstInspectionDue, a.FirstInspection, a.Awaiting(policy), a.CreatedAt, a.LastActionAt, a.Committee);
}

/// <summary>One line of an application list.</summary>
public sealed record ApplicationSummary(
    string Id,
    BranchId Branch,
    ApplicationState State,
    int Version,
    string OfficerId,
    string? BorrowerName,
    Product Product,
    GuaranteeType GuaranteeType,
    Money Amount,
    Awaiting? Awaiting,
    DateTimeOffset CreatedAt)
{
    public static ApplicationSummary From(LoanApplication a, WorkflowPolicy policy) =>
        new(a.Id, a.Branch, a.State, a.Version, a.OfficerId, a.Borrower.Name, a.Product, a.GuaranteeType, a.Terms.Amount, a.Awaiting(policy), a.CreatedAt);
}

public sealed record ApplicationPage(IReadOnlyList<ApplicationSummary> Items, string? Continuation);

/// <summary>A piece of the caller's work: what to do on which application, and by when.</summary>
public sealed record WorkItem(string ApplicationId, BranchId Branch, string Stage, string Action, Role Role, string? BorrowerName, Money Amount, DateTimeOffset? DueAt, bool Overdue);
