using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Reports;

/// <summary>One loan of the NPL ledger as the report reads it (the ledger's current row; amounts in fen).</summary>
public sealed record LedgerLine(
    string LoanId,
    string Branch,
    string OfficerId,
    string BorrowerId,
    string BorrowerName,
    string Product,
    string GuaranteeType,
    long BalanceFen,
    long OverdueAmountFen,
    LoanCategory Category,
    bool InNpl,
    DateOnly? OverdueSince,
    DateOnly? FirstNplOn,
    DateOnly? CuredOn,
    bool LeftBook,
    IReadOnlyList<ResponsibleShare> Responsible,
    string? CollectionOfficerId,
    Recoverability? Recoverability,
    DateOnly? LastInspectionOn,
    LitigationStatus Litigation);

/// <summary>An early warning the daily job sent during the week.</summary>
public sealed record WarningLine(DateOnly On, string Cause, string Subject);

/// <summary>The totals of the scope at the end of one of the trend's weeks (null: no monitored day that week).</summary>
public sealed record TrendInput(ReportWeek Week, DateOnly? Date, DayTotals? Totals);

/// <summary>
/// Everything one scope's weekly report is computed from, read by the adapter from what the daily job stored:
/// day totals (now, a week ago, at the start of the year, per branch, the 12-week trend), the week's movements
/// (diff of the two end-of-week snapshots), the ledger and the week's early warnings.
/// </summary>
public sealed class WeeklyReportInput
{
    public required ReportWeek Week { get; init; }

    /// <summary><c>union</c> or a branch id.</summary>
    public required string Scope { get; init; }

    public string ScopeName { get; init; } = string.Empty;

    /// <summary>The last monitored day of the week (null: no data for the week).</summary>
    public DateOnly? AsOf { get; init; }

    /// <summary>The last monitored day before the week (the end of last week).</summary>
    public DateOnly? Baseline { get; init; }

    /// <summary>The end of last year, or failing that the first monitored day of this year.</summary>
    public DateOnly? YearStart { get; init; }

    public DayTotals? Now { get; init; }

    public DayTotals? WeekAgo { get; init; }

    public DayTotals? AtYearStart { get; init; }

    /// <summary>Branch → totals on <see cref="AsOf"/> (only the scope's branch for a branch report).</summary>
    public IReadOnlyDictionary<string, DayTotals> BranchesNow { get; init; } = new Dictionary<string, DayTotals>();

    /// <summary>Branch → totals on <see cref="Baseline"/>.</summary>
    public IReadOnlyDictionary<string, DayTotals> BranchesWeekAgo { get; init; } = new Dictionary<string, DayTotals>();

    public IReadOnlyDictionary<string, string> BranchNames { get; init; } = new Dictionary<string, string>();

    /// <summary>Oldest first, ending with <see cref="Week"/>.</summary>
    public IReadOnlyList<TrendInput> Trend { get; init; } = [];

    /// <summary>Null when there is no snapshot of the end of last week to compare with.</summary>
    public WeekMovements? Movements { get; init; }

    public IReadOnlyList<LedgerLine> Ledger { get; init; } = [];

    public IReadOnlyList<WarningLine> Warnings { get; init; } = [];

    public NplRules Rules { get; init; } = NplRules.Default;

    /// <summary>How many loans, officers and branches each list shows (totals always count everything).</summary>
    public int ListLimit { get; init; } = 20;
}
