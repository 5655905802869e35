using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;

namespace CreditFlows.Functions.Features.Applications;

/// <summary>Body of <c>POST /api/applications</c>. <see cref="Branch"/> defaults to the officer's own.</summary>
public sealed record OpenRequest(
    string? Branch,
    Borrower? Borrower,
    Product? Product,
    GuaranteeType? GuaranteeType,
    Money? Amount,
    int? TermMonths,
    decimal? AnnualRatePercent,
    string? Purpose,
    IReadOnlyList<RelatedEmployee>? RelatedEmployees);

/// <summary>Body of <c>investigation</c>: the whole investigation so far; <see cref="Submit"/> sends it to review.</summary>
public sealed record InvestigationRequest(Investigation? Investigation, IReadOnlyList<RelatedEmployee>? RelatedEmployees, bool Submit);

public sealed record ReviewRequest(ReviewOutcome? Outcome, string? Comment);

/// <summary>Body of <c>decision</c>. Rejections need <see cref="ReasonCode"/>; the committee tier cites its <see cref="ResolutionRef"/>.</summary>
public sealed record DecisionRequest(DecisionOutcome? Outcome, RejectionReason? ReasonCode, string? Comment, string? ResolutionRef);

/// <summary>Body of <c>vote</c>: a committee member's vote (the chair may also <c>Veto</c>) with their opinion.</summary>
public sealed record VoteRequest(Ballot? Vote, string? Opinion);

public sealed record ContractRequest(string? ContractNumber, DateOnly? SignedOn);

/// <summary>Body of <c>handoff</c>: indexes of collateral items whose registration is now complete.</summary>
public sealed record HandOffRequest(IReadOnlyList<int>? RegisteredCollateral);

/// <summary>Body of <c>disbursement</c>, sent by core banking.</summary>
public sealed record DisbursementRequest(string? LoanAccountNumber, Money? Amount, DateOnly? DisbursedOn);

public sealed record WithdrawRequest(string? Reason);

public sealed record InspectionRequest(DateOnly? InspectedOn, string? Findings);

public sealed record EmptyRequest;
