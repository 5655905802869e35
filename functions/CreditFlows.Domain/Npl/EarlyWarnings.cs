using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Npl;

/// <summary>Thresholds of the early warnings; HQ-configurable.</summary>
public sealed record WarningThresholds(
    decimal OverdueRiseShare = 0.20m,
    decimal BranchNplRatio = 0.05m,
    long OfficerNplBalanceFen = 100_000_000,
    long NewNplAmountFen = 50_000_000);

/// <summary>Who an alert goes to: a role's holders in a branch (the notifications queue falls back to HQ).</summary>
public sealed record AlertRecipient(Role Role, BranchId Branch);

/// <summary>
/// One early warning. <see cref="Cause"/> is unique per cause and day (the job sends each once per day):
/// <c>overdue-rise/B01</c>, <c>npl-ratio/B01</c>, <c>officer-npl/lo-1</c>, <c>new-npl/LN001</c>.
/// </summary>
public sealed record EarlyWarning(string Cause, IReadOnlyList<AlertRecipient> To, string Subject, string Text);

/// <summary>The early-warning rules, applied to the day's totals (and those of a week before).</summary>
public static class EarlyWarnings
{
    /// <summary>Branch rules: overdue balance up more than the share in a week; NPL ratio above its threshold.</summary>
    public static IEnumerable<EarlyWarning> ForBranch(DateOnly asOf, BranchId branch, DayTotals today, DayTotals? weekAgo, WarningThresholds thresholds)
    {
        var to = new[] { new AlertRecipient(Role.BranchDirector, branch), new AlertRecipient(Role.RiskManager, BranchId.Headquarters) };
        if (weekAgo is { OverdueBalanceFen: > 0 } before
            && today.OverdueBalanceFen > before.OverdueBalanceFen * (1m + thresholds.OverdueRiseShare))
        {
            var rise = (decimal)(today.OverdueBalanceFen - before.OverdueBalanceFen) / before.OverdueBalanceFen;
            yield return new EarlyWarning($"overdue-rise/{branch}", to,
                $"逾期贷款预警 Early warning: overdue loans of {branch} rose {rise:P1} in a week",
                $"On {asOf:yyyy-MM-dd} branch {branch} has {Yuan(today.OverdueBalanceFen)} yuan of overdue loans, against {Yuan(before.OverdueBalanceFen)} a week earlier " +
                $"(+{rise:P1}; the warning threshold is {thresholds.OverdueRiseShare:P0}).");
        }

        if (today.NplRatio > thresholds.BranchNplRatio)
        {
            yield return new EarlyWarning($"npl-ratio/{branch}", to,
                $"不良贷款预警 Early warning: NPL ratio of {branch} is {today.NplRatio:P2}",
                $"On {asOf:yyyy-MM-dd} branch {branch} has {Yuan(today.NplBalanceFen)} yuan of NPL in a book of {Yuan(today.TotalBalanceFen)} yuan: " +
                $"an NPL ratio of {today.NplRatio:P2}, above the threshold of {thresholds.BranchNplRatio:P2}.");
        }
    }

    /// <summary>An officer whose responsibility NPL balance passes the threshold is flagged to HQ.</summary>
    public static IEnumerable<EarlyWarning> ForOfficers(DateOnly asOf, IReadOnlyDictionary<string, long> responsibleNplFen, WarningThresholds thresholds) =>
        responsibleNplFen.Where(p => p.Value > thresholds.OfficerNplBalanceFen).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p =>
            new EarlyWarning($"officer-npl/{p.Key}", [new AlertRecipient(Role.RiskManager, BranchId.Headquarters)],
                $"责任不良贷款超限 Officer {p.Key}: NPL responsibility {Yuan(p.Value)} yuan",
                $"On {asOf:yyyy-MM-dd} the NPL balance {p.Key} is lending-responsible for (by responsibility share) is {Yuan(p.Value)} yuan, " +
                $"above the threshold of {Yuan(thresholds.OfficerNplBalanceFen)} yuan. DOMAIN rules call for reviewing the officer's credit post."));

    /// <summary>A loan that entered NPL today with a balance at or above the amount is notified the same day.</summary>
    public static EarlyWarning? ForNewNpl(DateOnly asOf, BranchId branch, LedgerChange change, WarningThresholds thresholds) =>
        change.Kind == LedgerChangeKind.NewNpl && change.Loan.BalanceFen >= thresholds.NewNplAmountFen
            ? new EarlyWarning($"new-npl/{change.Loan.LoanId}",
                [new AlertRecipient(Role.RiskManager, branch), new AlertRecipient(Role.BranchDirector, branch)],
                $"新增不良贷款 New NPL: {change.Loan.LoanId} ({change.Loan.BorrowerName}) {Yuan(change.Loan.BalanceFen)} yuan",
                $"On {asOf:yyyy-MM-dd} loan {change.Loan.LoanId} of {change.Loan.BorrowerName} at branch {branch} became {change.Loan.Category} " +
                $"(from {change.From?.ToString() ?? "new"}), {change.Loan.DaysOverdue} days overdue, balance {Yuan(change.Loan.BalanceFen)} yuan, officer {change.Loan.OfficerId}.")
            : null;

    public static string Yuan(long fen) => (fen / 100m).ToString("#,0.00", System.Globalization.CultureInfo.InvariantCulture);
}
