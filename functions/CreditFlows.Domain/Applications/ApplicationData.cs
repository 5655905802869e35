using CreditFlows.Domain.Common;

namespace CreditFlows.Domain.Applications;

/// <summary>The person or business borrowing. <see cref="EmployeeUserId"/> is set when the borrower is on the staff.</summary>
public sealed record Borrower
{
    public string? Name { get; init; }

    /// <summary>18-character resident id number, or unified social credit code for an enterprise.</summary>
    public string? IdNumber { get; init; }

    public BorrowerType? Type { get; init; }

    public string? Address { get; init; }

    public string? Phone { get; init; }

    public string? EmployeeUserId { get; init; }
}

/// <summary>A cooperative employee related to the borrower or a guarantor (a relative, or the borrower themself).</summary>
public sealed record RelatedEmployee
{
    public string? UserId { get; init; }

    public string? Relation { get; init; }
}

/// <summary>What the borrower asks for, and what the investigation may revise.</summary>
public sealed record LoanTerms(Money Amount, int TermMonths, decimal AnnualRatePercent);

public sealed record Household
{
    public int? Members { get; init; }

    public int? Labourers { get; init; }

    /// <summary>The village credit rating of the household (e.g. AAA, AA, A, B).</summary>
    public string? CreditRating { get; init; }

    public string? MainActivity { get; init; }
}

public sealed record Business
{
    public string? LicenseNumber { get; init; }

    public Money? AnnualRevenue { get; init; }

    public int? Employees { get; init; }

    public string? Industry { get; init; }
}

public sealed record Debt
{
    public string? Lender { get; init; }

    public Money? Balance { get; init; }

    /// <summary>True for loans at this county union: they count towards concentration.</summary>
    public bool? AtThisUnion { get; init; }
}

/// <summary>An associated customer (group member, spouse's business, shared controller) and its exposure here.</summary>
public sealed record AssociatedCustomer
{
    public string? Name { get; init; }

    public string? IdNumber { get; init; }

    public string? Relation { get; init; }

    public Money? ExposureHere { get; init; }
}

public sealed record Guarantor
{
    public string? Name { get; init; }

    public string? IdNumber { get; init; }

    public string? Relation { get; init; }

    public Money? NetAssets { get; init; }

    public Money? AnnualIncome { get; init; }

    public bool? ConsentSigned { get; init; }
}

public sealed record CollateralItem
{
    public CollateralType? Type { get; init; }

    public string? Description { get; init; }

    public Money? AppraisedValue { get; init; }

    public string? Appraiser { get; init; }

    public RegistrationStatus? RegistrationStatus { get; init; }

    public string? OwnerName { get; init; }
}

public sealed record RiskAssessment
{
    /// <summary>Low, Medium or High.</summary>
    public string? Rating { get; init; }

    public string? Summary { get; init; }
}

public sealed record Recommendation
{
    public bool? Approve { get; init; }

    public string? Comment { get; init; }
}

/// <summary>
/// The pre-loan investigation (贷前调查): what the documents ask a loan officer to establish. Saved as often as
/// the officer likes; <see cref="InvestigationRules.Check"/> decides whether it is complete enough to submit.
/// </summary>
public sealed record Investigation
{
    public Household? Household { get; init; }

    public Business? Business { get; init; }

    public string? Purpose { get; init; }

    public Money? Amount { get; init; }

    public int? TermMonths { get; init; }

    public decimal? AnnualRatePercent { get; init; }

    public string? RepaymentSource { get; init; }

    public Money? AnnualIncome { get; init; }

    public IReadOnlyList<Debt>? ExistingDebts { get; init; }

    public IReadOnlyList<AssociatedCustomer>? AssociatedCustomers { get; init; }

    public IReadOnlyList<Guarantor>? Guarantors { get; init; }

    public IReadOnlyList<CollateralItem>? Collateral { get; init; }

    public RiskAssessment? Risk { get; init; }

    public Recommendation? Recommendation { get; init; }
}
