using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Reports;

/// <summary>A loan that moved over the week: its state at the end (at the start for one that left the book).</summary>
public sealed record MovedLoan(string Branch, string LoanId, string BorrowerName, string OfficerId, LoanCategory? From, LoanCategory? To, long BalanceFen, long AmountFen);

/// <summary>
/// What happened to the book between two end-of-day snapshots (the end of last week and the end of this one),
/// loan by loan: the five-category migration table (from × to, with "not in the book" on both sides), new NPLs,
/// cures (left NPL, still in the book) and recoveries (an NPL repaid in full or in part, or gone from the book).
/// One instance per scope; branches add into it one at a time, so the union costs one branch of memory.
/// </summary>
public sealed class WeekMovements
{
    /// <summary>Index 0 is "not in the book" (From: new loans; To: gone); 1-5 are the categories.</summary>
    public long[,] Counts { get; } = new long[6, 6];

    /// <summary>Balances in fen: at the end of the week, or at the start for a loan that left the book.</summary>
    public long[,] BalancesFen { get; } = new long[6, 6];

    public List<MovedLoan> NewNpls { get; } = [];

    public List<MovedLoan> Cures { get; } = [];

    /// <summary>NPLs whose balance fell (<see cref="MovedLoan.AmountFen"/> is the fall) or that left the book (all of it).</summary>
    public List<MovedLoan> Recoveries { get; } = [];

    /// <summary>Adds one branch: <paramref name="start"/> keyed by loan id, <paramref name="end"/> streamed. The straightforward diff, over decoded loans.</summary>
    public void Add(string branch, IReadOnlyDictionary<string, LoanSnapshot> start, IEnumerable<LoanSnapshot> end)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var now in end)
        {
            seen.Add(now.LoanId);
            start.TryGetValue(now.LoanId, out var before);
            var from = before?.Category;
            Count(from, now.Category, now.BalanceFen);
            var wasNpl = from?.IsNpl() ?? false;
            if (now.Category.IsNpl() && !wasNpl)
            {
                NewNpls.Add(Moved(branch, now, from, now.Category, now.BalanceFen));
            }
            else if (wasNpl && !now.Category.IsNpl())
            {
                Cures.Add(Moved(branch, now, from, now.Category, now.BalanceFen));
            }
            else if (wasNpl && now.BalanceFen < before!.BalanceFen)
            {
                Recoveries.Add(Moved(branch, now, from, now.Category, before.BalanceFen - now.BalanceFen));
            }
        }

        foreach (var gone in start.Values)
        {
            if (seen.Contains(gone.LoanId))
            {
                continue;
            }

            Count(gone.Category, null, gone.BalanceFen);
            if (gone.Category.IsNpl())
            {
                Recoveries.Add(Moved(branch, gone, gone.Category, null, gone.BalanceFen));
            }
        }
    }

    /// <summary>
    /// Adds one branch from its two snapshots as read: the same movements, in the same order, as the other overload over
    /// the same loans decoded (start keyed by loan id, end in order), but it joins the loans by their ids' bytes and decodes
    /// only the loans that go into a list, so a branch's diff costs two indexes and a table rather than a string per field.
    /// </summary>
    public void Add(string branch, PackedSnapshot start, PackedSnapshot end)
    {
        using var keys = new LoanIdIndex(start);
        var seen = new bool[start.Count];
        for (var i = 0; i < end.Count; i++)
        {
            var key = keys.KeyOf(end.LoanIdUtf8(i));
            var before = -1;
            if (key >= 0)
            {
                seen[key] = true;
                before = keys.ValueOf(key);
            }

            LoanCategory? from = before >= 0 ? start.Category(before) : null;
            var to = end.Category(i);
            var balance = end.BalanceFen(i);
            Count(from, to, balance);
            var wasNpl = from?.IsNpl() ?? false;
            if (to.IsNpl() && !wasNpl)
            {
                NewNpls.Add(Moved(branch, end.Loan(i), from, to, balance));
            }
            else if (wasNpl && !to.IsNpl())
            {
                Cures.Add(Moved(branch, end.Loan(i), from, to, balance));
            }
            else if (wasNpl && balance < start.BalanceFen(before))
            {
                Recoveries.Add(Moved(branch, end.Loan(i), from, to, start.BalanceFen(before) - balance));
            }
        }

        for (var key = 0; key < start.Count; key++)
        {
            if (seen[key] || !keys.IsKey(key))
            {
                continue;
            }

            var gone = keys.ValueOf(key);
            var category = start.Category(gone);
            Count(category, null, start.BalanceFen(gone));
            if (category.IsNpl())
            {
                var loan = start.Loan(gone);
                Recoveries.Add(Moved(branch, loan, category, null, loan.BalanceFen));
            }
        }
    }

    /// <summary>Adds another scope's movements (branches into the union).</summary>
    public void Merge(WeekMovements other)
    {
        for (var f = 0; f < 6; f++)
        {
            for (var t = 0; t < 6; t++)
            {
                Counts[f, t] += other.Counts[f, t];
                BalancesFen[f, t] += other.BalancesFen[f, t];
            }
        }

        NewNpls.AddRange(other.NewNpls);
        Cures.AddRange(other.Cures);
        Recoveries.AddRange(other.Recoveries);
    }

    /// <summary>Puts the lists in the order the report shows them: largest first, then by loan id.</summary>
    public void Sort()
    {
        foreach (var list in new[] { NewNpls, Cures, Recoveries })
        {
            list.Sort((a, b) => b.AmountFen != a.AmountFen ? b.AmountFen.CompareTo(a.AmountFen) : string.CompareOrdinal(a.LoanId, b.LoanId));
        }
    }

    private void Count(LoanCategory? from, LoanCategory? to, long balanceFen)
    {
        var f = from is { } a ? (int)a : 0;
        var t = to is { } b ? (int)b : 0;
        Counts[f, t]++;
        BalancesFen[f, t] += balanceFen;
    }

    private static MovedLoan Moved(string branch, LoanSnapshot loan, LoanCategory? from, LoanCategory? to, long amountFen) =>
        new(branch, loan.LoanId, loan.BorrowerName, loan.OfficerId, from, to, loan.BalanceFen, amountFen);
}
