using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Applications;

public sealed record ReviewRecord(int Round, string ReviewerId, string ReviewerName, ReviewOutcome Outcome, string? Comment, DateTimeOffset At);

public sealed record TierDecision(
    int Round,
    ApprovalTier Tier,
    string UserId,
    string UserName,
    DecisionOutcome Outcome,
    RejectionReason? Reason,
    string? Comment,
    string? ResolutionRef,
    DateTimeOffset At);

/// <summary>One person's share of responsibility for the loan (the NPL ledger reads these).</summary>
public sealed record ResponsibilityEntry(Duty Duty, string UserId, string UserName, decimal SharePercent);

public sealed record ContractRecord(string ContractNumber, DateOnly SignedOn, string RecordedBy, DateTimeOffset At);

public sealed record DisbursementRecord(string LoanAccountNumber, Money Amount, DateOnly DisbursedOn, string ConfirmedBy, DateTimeOffset At);

public sealed record InspectionRecord(string InspectorId, DateOnly InspectedOn, string Findings, DateTimeOffset At);

/// <summary>Who the application waits for now, and by when: the stage's assignee and the role an overdue stage escalates to.</summary>
public sealed record Awaiting(string Stage, Role Role, BranchId Branch, string? UserId, DateTimeOffset? DueAt, Role Supervisor);

/// <summary>What opening an application takes.</summary>
public sealed record OpenApplication(
    BranchId Branch,
    Borrower Borrower,
    Product Product,
    GuaranteeType GuaranteeType,
    LoanTerms Terms,
    string Purpose,
    IReadOnlyList<RelatedEmployee> RelatedEmployees);

/// <summary>
/// What a command changed in the related employees (by user id), for the event's detail: the list before and
/// after, who was added and who was removed.
/// </summary>
public sealed record RelatedEmployeesChange(IReadOnlyList<string> Before, IReadOnlyList<string> After, IReadOnlyList<string> Added, IReadOnlyList<string> Removed);
