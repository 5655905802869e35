namespace CreditFlows.Domain.Npl;

public enum LedgerChangeKind
{
    /// <summary>Entered NPL today (it was in the book yesterday, not in NPL).</summary>
    NewNpl = 1,

    /// <summary>In NPL both days, and something the ledger shows changed (category, balance, overdue date, officer).</summary>
    Changed = 2,

    /// <summary>Left NPL today while staying in the book.</summary>
    Cured = 3,

    /// <summary>Was in NPL yesterday and is not in today's extract (repaid, written off or moved).</summary>
    LeftBook = 4,

    /// <summary>In NPL on the first day monitored (no earlier snapshot): recorded, not flagged as new.</summary>
    Opening = 5,
}

/// <summary>A ledger row the day's run must write: the loan's state today (yesterday's for <see cref="LedgerChangeKind.LeftBook"/>).</summary>
public sealed record LedgerChange(LedgerChangeKind Kind, LoanSnapshot Loan, LoanCategory? From, LendingResponsibility Responsibility);

/// <summary>An override whose state the day changed: an approved upgrade got its basis, or lapsed.</summary>
public sealed record OverrideChange(LoanOverride Before, LoanOverride After, bool Lapsed);

/// <summary>What classifying one shard of one branch for one day produced.</summary>
public sealed class ShardResult
{
    public List<LoanSnapshot> Snapshot { get; } = [];

    public List<LedgerChange> Changes { get; } = [];

    public List<OverrideChange> Overrides { get; } = [];

    public ShardAggregate Aggregate { get; } = new();
}

/// <summary>
/// The daily classification of one shard: each loan of today's extract gets its rule category, then its
/// manual override; it is compared with yesterday's snapshot (migrations, new NPL, cures, loans that left
/// the book) and totalled. Pure: the caller reads the extract, yesterday's snapshot and the overrides, and
/// writes what comes back, so the same inputs always give the same day.
/// </summary>
public static class DailyClassification
{
    public static ShardResult Run(
        DateOnly asOf,
        string branch,
        ClassificationPolicy policy,
        IEnumerable<LoanRecord> today,
        IReadOnlyDictionary<string, LoanSnapshot>? baseline,
        IReadOnlyDictionary<string, LoanOverride> overrides,
        Func<LoanRecord, LendingResponsibility> responsibility)
    {
        var result = new ShardResult();
        result.Aggregate.Branch = branch;
        var totals = result.Aggregate.Totals;
        var seen = baseline is null ? null : new HashSet<string>(StringComparer.Ordinal);
        foreach (var loan in today)
        {
            var days = loan.DaysOverdue(asOf);
            var rule = policy.Classify(days, loan.Restructured);
            var category = rule;
            if (overrides.TryGetValue(loan.LoanId, out var manual))
            {
                category = manual.Apply(rule, out var updated);
                if (!ReferenceEquals(updated, manual))
                {
                    result.Overrides.Add(new OverrideChange(manual, updated, updated.Active is null));
                }
            }

            LoanSnapshot? before = null;
            if (baseline is not null)
            {
                seen!.Add(loan.LoanId);
                baseline.TryGetValue(loan.LoanId, out before);
            }

            var firstNpl = category.IsNpl() ? before is { FirstNplOn: { } first } && before.Category.IsNpl() ? first : asOf : (DateOnly?)null;
            var now = new LoanSnapshot(loan.LoanId, loan.OfficerId, loan.BorrowerId, loan.BorrowerName, loan.GroupId, loan.Product, loan.GuaranteeType,
                loan.BalanceFen, loan.OverduePrincipalFen + loan.OverdueInterestFen, loan.OverdueSince, days, loan.Restructured, rule, category, firstNpl);
            result.Snapshot.Add(now);

            totals.Add(category, loan.BalanceFen, days);
            result.Aggregate.Officer(loan.OfficerId).Add(category, loan.BalanceFen, days);
            if (baseline is not null && before?.Category != category)
            {
                totals.Migrate(before?.Category, category, loan.BalanceFen);
            }

            var kind = Change(baseline is null, before, now);
            if (kind is null && !category.IsNpl())
            {
                continue;
            }

            var people = responsibility(loan);
            if (category.IsNpl())
            {
                foreach (var (person, fen) in people.Split(loan.BalanceFen))
                {
                    result.Aggregate.ResponsibleNplFen[person] = result.Aggregate.ResponsibleNplFen.GetValueOrDefault(person) + fen;
                }
            }

            if (kind is { } k)
            {
                result.Changes.Add(new LedgerChange(k, now, before?.Category, people));
                if (k == LedgerChangeKind.NewNpl)
                {
                    totals.NewNplCount++;
                    totals.NewNplBalanceFen += loan.BalanceFen;
                }
                else if (k == LedgerChangeKind.Cured)
                {
                    totals.CuredCount++;
                    totals.CuredBalanceFen += loan.BalanceFen;
                }
            }
        }

        if (baseline is not null)
        {
            foreach (var gone in baseline.Values.Where(b => !seen!.Contains(b.LoanId)).OrderBy(b => b.LoanId, StringComparer.Ordinal))
            {
                totals.Migrate(gone.Category, null, gone.BalanceFen);
                if (gone.Category.IsNpl())
                {
                    totals.CuredCount++;
                    totals.CuredBalanceFen += gone.BalanceFen;
                    result.Changes.Add(new LedgerChange(LedgerChangeKind.LeftBook, gone, gone.Category, LendingResponsibility.ExtractOfficer(gone.OfficerId)));
                }
            }
        }

        return result;
    }

    /// <summary>Whether the ledger must be written for this loan today, and why (null: nothing to write).</summary>
    public static LedgerChangeKind? Change(bool firstDay, LoanSnapshot? before, LoanSnapshot now)
    {
        var wasNpl = before?.Category.IsNpl() ?? false;
        if (!now.Category.IsNpl())
        {
            return wasNpl ? LedgerChangeKind.Cured : null;
        }

        if (firstDay)
        {
            return LedgerChangeKind.Opening;
        }

        if (!wasNpl)
        {
            return LedgerChangeKind.NewNpl;
        }

        return before!.Category != now.Category || before.RuleCategory != now.RuleCategory || before.BalanceFen != now.BalanceFen
            || before.OverdueSince != now.OverdueSince || before.OfficerId != now.OfficerId || before.BorrowerName != now.BorrowerName
            || before.Restructured != now.Restructured
            ? LedgerChangeKind.Changed
            : null;
    }
}
