using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Reports;

/// <summary>Computes a <see cref="WeeklyReport"/> from its <see cref="WeeklyReportInput"/>. Pure: same input, same report.</summary>
public static class WeeklyReportBuilder
{
    public const string Union = "union";

    public static readonly IReadOnlyList<string> MigrationFrom = ["New", .. LoanCategories.All.Select(c => c.ToString())];

    public static readonly IReadOnlyList<string> MigrationTo = [.. LoanCategories.All.Select(c => c.ToString()), "Gone"];

    public static WeeklyReport Build(WeeklyReportInput input)
    {
        var notes = new List<string>();
        var week = input.Week;
        if (input.AsOf is not { } asOf || input.Now is null)
        {
            notes.Add($"No monitored day in {week} ({week.Monday:yyyy-MM-dd} to {week.Sunday:yyyy-MM-dd}): there is nothing to report for this week.");
            return new WeeklyReport(week.ToString(), input.Scope, input.ScopeName, week.Monday, week.Sunday, null, false, notes,
                null, null, null, null, Empty, Empty, Empty, [], [], [], NoActions, NoActions, input.Warnings, Trend(input));
        }

        if (asOf != week.Sunday)
        {
            notes.Add($"The last monitored day of {week} is {asOf:yyyy-MM-dd}; the figures are as of that day.");
        }

        if (input.WeekAgo is null)
        {
            notes.Add("No monitored day before this week: there is no week-ago comparison.");
        }

        if (input.Movements is null)
        {
            notes.Add("No loan snapshot of the end of last week: the migration table, new NPLs, cures and recoveries are not available.");
        }

        var movements = input.Movements;
        movements?.Sort();
        var limit = input.ListLimit;
        var (byRatio, byChange) = Branches(input);
        var ledger = input.Ledger.Where(l => l.InNpl).ToList();
        return new WeeklyReport(
            week.ToString(), input.Scope, input.ScopeName, week.Monday, week.Sunday, asOf, true, notes,
            Position(asOf, input.Now),
            input.Baseline is { } b && input.WeekAgo is { } w ? Position(b, w) : null,
            input.YearStart is { } y && input.AtYearStart is { } t ? Position(y, t) : null,
            movements is null || input.Baseline is null ? null : Migration(input.Baseline.Value, asOf, movements),
            movements is null ? Empty : List(movements.NewNpls, limit),
            movements is null ? Empty : List(movements.Cures, limit),
            movements is null ? Empty : List(movements.Recoveries, limit),
            [.. byRatio.Take(limit)], [.. byChange.Take(limit)],
            Officers(ledger, limit),
            Actions(ledger.Where(l => Flags(input.Rules, asOf, l).Contains(NplFlag.LitigationDue)), asOf, limit),
            Actions(ledger.Where(l => Flags(input.Rules, asOf, l).Contains(NplFlag.InspectionOverdue)), asOf, limit),
            [.. input.Warnings.OrderBy(w => w.On).ThenBy(w => w.Cause, StringComparer.Ordinal)],
            Trend(input));
    }

    public static decimal Yuan(long fen) => fen / 100m;

    public static Position Position(DateOnly date, DayTotals t) =>
        new(date, t.TotalCount, Yuan(t.TotalBalanceFen), t.NplCount, Yuan(t.NplBalanceFen), t.NplRatio,
            [.. LoanCategories.All.Select(c => new CategoryAmount(c, t.Counts[(int)c], Yuan(t.BalancesFen[(int)c])))]);

    private static readonly LoanList Empty = new(0, 0m, []);

    private static readonly ActionList NoActions = new(0, 0m, []);

    private static MigrationTable Migration(DateOnly from, DateOnly to, WeekMovements m)
    {
        // Columns: Normal..Loss (index 1-5), then Gone (index 0).
        int[] columns = [1, 2, 3, 4, 5, 0];
        var rows = Enumerable.Range(0, 6).Select(f => new MigrationRow(MigrationFrom[f],
            [.. columns.Select(c => m.Counts[f, c])], [.. columns.Select(c => Yuan(m.BalancesFen[f, c]))])).ToList();
        return new MigrationTable(from, to, MigrationTo, rows);
    }

    private static LoanList List(List<MovedLoan> loans, int limit) =>
        new(loans.Count, Yuan(loans.Sum(l => l.AmountFen)), [.. loans.Take(limit).Select(l =>
            new LoanLine(l.Branch, l.LoanId, l.BorrowerName, l.OfficerId, l.From?.ToString(), l.To?.ToString() ?? "Gone", Yuan(l.BalanceFen), Yuan(l.AmountFen)))]);

    private static (List<BranchLine> ByRatio, List<BranchLine> ByChange) Branches(WeeklyReportInput input)
    {
        var lines = input.BranchesNow.Select(p =>
        {
            decimal? before = input.BranchesWeekAgo.TryGetValue(p.Key, out var w) ? w.NplRatio : null;
            return new BranchLine(p.Key, input.BranchNames.GetValueOrDefault(p.Key, p.Key), Yuan(p.Value.TotalBalanceFen), Yuan(p.Value.NplBalanceFen),
                p.Value.NplRatio, before, before is { } x ? p.Value.NplRatio - x : null);
        }).ToList();
        var byRatio = lines.OrderByDescending(l => l.NplRatio).ThenBy(l => l.Branch, StringComparer.Ordinal).ToList();
        var byChange = lines.OrderByDescending(l => l.Change ?? decimal.MinValue).ThenBy(l => l.Branch, StringComparer.Ordinal).ToList();
        return (byRatio, byChange);
    }

    /// <summary>Each person's lending-responsibility share of each NPL (the extract's officer when no record), largest first.</summary>
    private static List<OfficerLine> Officers(List<LedgerLine> npl, int limit)
    {
        var people = new Dictionary<string, (string Name, long Loans, long Fen)>(StringComparer.Ordinal);
        foreach (var loan in npl)
        {
            var responsibility = loan.Responsible.Count > 0
                ? new LendingResponsibility(LendingResponsibility.FromWorkflow, null, loan.Responsible)
                : LendingResponsibility.ExtractOfficer(loan.OfficerId);
            foreach (var (user, fen) in responsibility.Split(loan.BalanceFen))
            {
                var name = responsibility.People.First(p => p.UserId == user).Name;
                var (_, loans, total) = people.GetValueOrDefault(user);
                people[user] = (name, loans + 1, total + fen);
            }
        }

        return [.. people.OrderByDescending(p => p.Value.Fen).ThenBy(p => p.Key, StringComparer.Ordinal).Take(limit)
            .Select(p => new OfficerLine(p.Key, p.Value.Name, p.Value.Loans, Yuan(p.Value.Fen)))];
    }

    private static IReadOnlyList<NplFlag> Flags(NplRules rules, DateOnly asOf, LedgerLine l) =>
        rules.Flags(asOf, l.InNpl, l.FirstNplOn, l.CuredOn, l.OverdueSince, l.Litigation, l.LastInspectionOn);

    private static ActionList Actions(IEnumerable<LedgerLine> loans, DateOnly asOf, int limit)
    {
        var list = loans.OrderByDescending(l => l.BalanceFen).ThenBy(l => l.LoanId, StringComparer.Ordinal).ToList();
        return new ActionList(list.Count, Yuan(list.Sum(l => l.BalanceFen)), [.. list.Take(limit).Select(l => new ActionLine(
            l.Branch, l.LoanId, l.BorrowerName, l.Category.ToString(), Yuan(l.BalanceFen),
            l.OverdueSince is { } s ? Math.Max(0, asOf.DayNumber - s.DayNumber) : 0, l.LastInspectionOn, l.CollectionOfficerId))]);
    }

    private static List<TrendLine> Trend(WeeklyReportInput input) =>
        [.. input.Trend.Select(t => new TrendLine(t.Week.ToString(), t.Date, t.Totals?.NplRatio,
            t.Totals is { } a ? Yuan(a.NplBalanceFen) : null, t.Totals is { } b ? Yuan(b.TotalBalanceFen) : null))];
}
