using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// Synthetic NPL ledgers for the ledger-file tests and the render benchmark (bench links this file), deterministic for a
/// seed: branches of uneven size (as <c>ExtractGenerator</c>'s), Chinese borrower and responsible names, loans in NPL and
/// loans cured during the week, the optional columns sometimes empty. <paramref name="awkward"/> puts text a writer must
/// escape or quote into the free-text columns: commas, quotes, CR/LF, tabs, &lt; &amp; &gt;, a leading = + - @, emoji
/// (surrogate pairs), equal balances so the loan id decides the order.
/// </summary>
public static class LedgerSamples
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马"];
    private static readonly string[] Given = ["伟", "芳", "秀英", "敏", "静", "强", "磊", "军", "桂英", "建国", "春生"];
    private static readonly string[] Products = ["FMC", "FJG", "FHH", "SME", "AGR"];
    private static readonly string[] Guarantees = ["Credit", "Guarantee", "Mortgage", "Pledge"];
    private static readonly string[] Duties = ["Investigation", "Review", "Approval", "ManagingOfficer"];

    private static readonly string[] Awkward =
    [
        "王, 伟", "\"张三\"", "李\r\n四", "赵\n六", "周\r七", "=SUM(A1)", "+86 138", "-12", "-1.5", "@home", "a<b & c>d", "tab\there", "笑😀脸",
        "\"", ",", " ", "'quoted'", "'=x", "100,000.00",
    ];

    private static readonly DateOnly AsOf = new(2026, 11, 22);

    /// <summary>The ledger of each branch (B01, B02, …), <paramref name="lines"/> lines in all; the union's is their concatenation.</summary>
    public static List<List<LedgerLine>> Branches(int lines, int branches, int seed = 7, bool awkward = false)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, branches).Select(i => 1.0 / Math.Pow(i + 1, 0.7)).ToArray();
        var total = weights.Sum();
        var ledgers = new List<List<LedgerLine>>();
        var n = 0;
        for (var b = 0; b < branches; b++)
        {
            var count = b == branches - 1 ? lines - n : (int)(lines * weights[b] / total);
            var ledger = new List<LedgerLine>(count);
            for (var i = 0; i < count; i++, n++)
            {
                ledger.Add(Line(random, $"B{b + 1:00}", n, awkward));
            }

            ledgers.Add(ledger);
        }

        return ledgers;
    }

    private static LedgerLine Line(Random random, string branch, int n, bool awkward)
    {
        string Text(string plain) => awkward && random.NextDouble() < 0.3 ? Awkward[random.Next(Awkward.Length)] : plain;
        string Name() => Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)];
        var officer = $"lo-{branch.ToLowerInvariant()}-{random.Next(1, 13):00}";
        var inNpl = random.NextDouble() < 0.93;
        var category = inNpl ? (LoanCategory)random.Next(3, 6) : (LoanCategory)random.Next(1, 3);
        // Balances to the hundred yuan, often equal in awkward mode so the loan id breaks ties; now and then whole yuan or odd fen.
        var balance = awkward ? random.Next(0, 4) * 10_000_000L : random.Next(100, 50_000) * 10_000L + (random.NextDouble() < 0.2 ? random.Next(0, 10_000) : 0);
        var overdue = random.NextDouble() < 0.6 ? balance / random.Next(2, 20) : 0;
        var since = AsOf.AddDays(-random.Next(91, 1500));
        var firstNpl = since.AddDays(random.Next(0, 90));
        var people = random.NextDouble() switch
        {
            < 0.75 => new List<ResponsibleShare> { new(officer, officer, "ManagingOfficer", 100m) },
            < 0.95 => [new($"u{random.Next(1000)}", Text(Name()), Duties[random.Next(3)], 60m), new($"u{random.Next(1000)}", Name(), Duties[random.Next(3)], 40m)],
            < 0.98 => [new("u1", Name(), "Investigation", 33.33m), new("u2", Name(), "Review", 33.33m), new("u3", Name(), "Approval", 33.34m)],
            _ => [],
        };
        return new LedgerLine(
            LoanId: $"LN{random.Next(0, 100):00}{n:0000000}",
            Branch: branch,
            OfficerId: officer,
            BorrowerId: $"C{random.Next(1_000_000, 9_999_999)}",
            BorrowerName: Text(Name()),
            Product: Products[random.Next(Products.Length)],
            GuaranteeType: Guarantees[random.Next(Guarantees.Length)],
            BalanceFen: balance,
            OverdueAmountFen: awkward && random.NextDouble() < 0.1 ? -overdue : overdue,
            Category: category,
            InNpl: inNpl,
            OverdueSince: random.NextDouble() < 0.95 ? since : null,
            FirstNplOn: firstNpl,
            CuredOn: inNpl ? null : AsOf.AddDays(-random.Next(0, 7)),
            LeftBook: !inNpl && random.NextDouble() < 0.3,
            Responsible: people,
            CollectionOfficerId: random.NextDouble() < 0.15 ? Text($"co-{random.Next(100)}") : null,
            Recoverability: random.NextDouble() < 0.2 ? (Recoverability)random.Next(1, 4) : null,
            LastInspectionOn: random.NextDouble() < 0.3 ? AsOf.AddDays(-random.Next(0, 60)) : null,
            Litigation: random.NextDouble() < 0.85 ? LitigationStatus.None : (LitigationStatus)random.Next(1, 6));
    }
}
