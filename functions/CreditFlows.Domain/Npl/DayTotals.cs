namespace CreditFlows.Domain.Npl;

/// <summary>
/// Balances and counts of one scope (a shard, a branch, an officer, the union) on one business day, per
/// category (index = <see cref="LoanCategory"/> value, 1-5), with overdue, new-NPL and cured totals and the
/// day's migrations ("From>To" → [count, balance]; "New" and "Gone" for loans entering and leaving the book).
/// Mergeable, so shards add up to branches and branches to the union.
/// </summary>
public sealed class DayTotals
{
    public long[] Counts { get; set; } = new long[6];

    public long[] BalancesFen { get; set; } = new long[6];

    public long OverdueCount { get; set; }

    public long OverdueBalanceFen { get; set; }

    public long NewNplCount { get; set; }

    public long NewNplBalanceFen { get; set; }

    public long CuredCount { get; set; }

    public long CuredBalanceFen { get; set; }

    public SortedDictionary<string, long[]> Migrations { get; set; } = new(StringComparer.Ordinal);

    public long TotalCount => Counts.Sum();

    public long TotalBalanceFen => BalancesFen.Sum();

    public long NplBalanceFen => BalancesFen[(int)LoanCategory.Substandard] + BalancesFen[(int)LoanCategory.Doubtful] + BalancesFen[(int)LoanCategory.Loss];

    public long NplCount => Counts[(int)LoanCategory.Substandard] + Counts[(int)LoanCategory.Doubtful] + Counts[(int)LoanCategory.Loss];

    /// <summary>NPL balance / total balance (0 for an empty book).</summary>
    public decimal NplRatio => TotalBalanceFen == 0 ? 0m : decimal.Round((decimal)NplBalanceFen / TotalBalanceFen, 6);

    public void Add(LoanCategory category, long balanceFen, int daysOverdue)
    {
        Counts[(int)category]++;
        BalancesFen[(int)category] += balanceFen;
        if (daysOverdue > 0)
        {
            OverdueCount++;
            OverdueBalanceFen += balanceFen;
        }
    }

    public void Migrate(LoanCategory? from, LoanCategory? to, long balanceFen)
    {
        var key = $"{from?.ToString() ?? "New"}>{to?.ToString() ?? "Gone"}";
        if (!Migrations.TryGetValue(key, out var entry))
        {
            Migrations[key] = entry = new long[2];
        }

        entry[0]++;
        entry[1] += balanceFen;
    }

    public void Merge(DayTotals other)
    {
        for (var i = 0; i < Counts.Length; i++)
        {
            Counts[i] += other.Counts[i];
            BalancesFen[i] += other.BalancesFen[i];
        }

        OverdueCount += other.OverdueCount;
        OverdueBalanceFen += other.OverdueBalanceFen;
        NewNplCount += other.NewNplCount;
        NewNplBalanceFen += other.NewNplBalanceFen;
        CuredCount += other.CuredCount;
        CuredBalanceFen += other.CuredBalanceFen;
        foreach (var (key, value) in other.Migrations)
        {
            if (!Migrations.TryGetValue(key, out var entry))
            {
                Migrations[key] = entry = new long[2];
            }

            entry[0] += value[0];
            entry[1] += value[1];
        }
    }
}

/// <summary>What one shard of one branch adds to the day: its totals, per managing officer, and per responsible person.</summary>
public sealed class ShardAggregate
{
    public string Branch { get; set; } = string.Empty;

    public DayTotals Totals { get; set; } = new();

    /// <summary>Managing officer (the extract's officer_id) → that officer's book.</summary>
    public SortedDictionary<string, DayTotals> Officers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Lending-responsible person → their share of NPL balance, in fen.</summary>
    public SortedDictionary<string, long> ResponsibleNplFen { get; set; } = new(StringComparer.Ordinal);

    public void Merge(ShardAggregate other)
    {
        Totals.Merge(other.Totals);
        foreach (var (officer, totals) in other.Officers)
        {
            Officer(officer).Merge(totals);
        }

        foreach (var (person, fen) in other.ResponsibleNplFen)
        {
            ResponsibleNplFen[person] = ResponsibleNplFen.GetValueOrDefault(person) + fen;
        }
    }

    public DayTotals Officer(string officerId)
    {
        if (!Officers.TryGetValue(officerId, out var totals))
        {
            Officers[officerId] = totals = new DayTotals();
        }

        return totals;
    }
}
