using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Reports;

public sealed record CategoryAmount(LoanCategory Category, long Count, decimal Balance);

/// <summary>The scope's book on one day. Ratio is NPL balance / total balance.</summary>
public sealed record Position(DateOnly Date, long Loans, decimal TotalBalance, long NplLoans, decimal NplBalance, decimal NplRatio, IReadOnlyList<CategoryAmount> Categories);

/// <summary>One row of the migration table: loans that were <see cref="From"/> at the start of the week, by where they ended.</summary>
public sealed record MigrationRow(string From, IReadOnlyList<long> Counts, IReadOnlyList<decimal> Balances);

/// <summary>From × to over the week. Rows: New, Normal … Loss; columns: Normal … Loss, Gone.</summary>
public sealed record MigrationTable(DateOnly From, DateOnly To, IReadOnlyList<string> Columns, IReadOnlyList<MigrationRow> Rows);

public sealed record LoanLine(string Branch, string LoanId, string BorrowerName, string OfficerId, string? From, string? To, decimal Balance, decimal Amount);

public sealed record LoanList(long Count, decimal Total, IReadOnlyList<LoanLine> Largest);

/// <summary>A branch's NPL ratio now and at the end of last week; <see cref="Change"/> in ratio points (0.0012 = +0.12 pp).</summary>
public sealed record BranchLine(string Branch, string Name, decimal TotalBalance, decimal NplBalance, decimal NplRatio, decimal? NplRatioWeekAgo, decimal? Change);

/// <summary>An officer's lending-responsibility NPL balance (their share of each NPL) and the number of those loans.</summary>
public sealed record OfficerLine(string UserId, string Name, long Loans, decimal NplBalance);

/// <summary>An NPL needing action: litigation due (overdue past the limit, nothing filed) or an inspection overdue.</summary>
public sealed record ActionLine(string Branch, string LoanId, string BorrowerName, string Category, decimal Balance, int DaysOverdue, DateOnly? LastInspectionOn, string? CollectionOfficerId);

public sealed record TrendLine(string Week, DateOnly? Date, decimal? NplRatio, decimal? NplBalance, decimal? TotalBalance);

/// <summary>
/// The numbers of one scope's weekly NPL report (周报告): what the mail, the archive's JSON and the chart show.
/// Money in yuan (decimal, 2 places).
/// </summary>
public sealed record WeeklyReport(
    string Week,
    string Scope,
    string ScopeName,
    DateOnly WeekStart,
    DateOnly WeekEnd,
    DateOnly? AsOf,
    bool HasData,
    IReadOnlyList<string> Notes,
    Position? Now,
    Position? WeekAgo,
    Position? YearStart,
    MigrationTable? Migration,
    LoanList NewNpls,
    LoanList Cures,
    LoanList Recoveries,
    IReadOnlyList<BranchLine> BranchesByRatio,
    IReadOnlyList<BranchLine> BranchesByChange,
    IReadOnlyList<OfficerLine> Officers,
    ActionList LitigationDue,
    ActionList InspectionsOverdue,
    IReadOnlyList<WarningLine> Warnings,
    IReadOnlyList<TrendLine> Trend);

public sealed record ActionList(long Count, decimal Total, IReadOnlyList<ActionLine> Largest);
