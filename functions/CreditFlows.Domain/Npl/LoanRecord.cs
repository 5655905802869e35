using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Npl;

/// <summary>
/// One loan of the core banking end-of-day extract, as read and checked. Amounts are fen (long) so a million
/// of them are cheap to hold and sum; dates are business dates.
/// </summary>
public sealed record LoanRecord(
    string LoanId,
    BranchId Branch,
    string OfficerId,
    string BorrowerId,
    string BorrowerName,
    string GroupId,
    string Product,
    GuaranteeType GuaranteeType,
    long PrincipalFen,
    long BalanceFen,
    DateOnly DisbursedOn,
    DateOnly MaturityOn,
    DateOnly? PrincipalOverdueSince,
    DateOnly? InterestOverdueSince,
    long OverduePrincipalFen,
    long OverdueInterestFen,
    bool Restructured,
    bool EmployeeRelated)
{
    /// <summary>The earlier unpaid due date: days overdue count from it.</summary>
    public DateOnly? OverdueSince => ClassificationPolicy.Earliest(PrincipalOverdueSince, InterestOverdueSince);

    public int DaysOverdue(DateOnly asOf) => ClassificationPolicy.DaysOverdue(asOf, PrincipalOverdueSince, InterestOverdueSince);
}

/// <summary>The extract's columns, by their header names.</summary>
public static class ExtractColumns
{
    public const string LoanId = "loan_id";
    public const string BranchId = "branch_id";
    public const string OfficerId = "officer_id";
    public const string BorrowerId = "borrower_id";
    public const string BorrowerName = "borrower_name";
    public const string GroupId = "group_id";
    public const string Product = "product";
    public const string GuaranteeType = "guarantee_type";
    public const string Principal = "principal";
    public const string Balance = "balance";
    public const string DisbursedOn = "disbursed_on";
    public const string MaturityOn = "maturity_on";
    public const string PrincipalOverdueSince = "principal_overdue_since";
    public const string InterestOverdueSince = "interest_overdue_since";
    public const string OverduePrincipal = "overdue_principal";
    public const string OverdueInterest = "overdue_interest";
    public const string Restructured = "restructured";
    public const string EmployeeRelated = "employee_related";

    /// <summary>Every column, in the order the generator writes them. Only <see cref="GroupId"/> may be absent.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        LoanId, BranchId, OfficerId, BorrowerId, BorrowerName, GroupId, Product, GuaranteeType, Principal, Balance,
        DisbursedOn, MaturityOn, PrincipalOverdueSince, InterestOverdueSince, OverduePrincipal, OverdueInterest, Restructured, EmployeeRelated,
    ];

    public static readonly IReadOnlyList<string> Optional = [GroupId];
}
