using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Npl.Synthetic;

/// <summary>How a synthetic loan book looks.</summary>
public sealed record GeneratorOptions(
    int Loans,
    DateOnly AsOf,
    int Branches = 12,
    int OfficersPerBranch = 8,
    int Seed = 20261122,
    string BranchPrefix = "B",
    string LoanPrefix = "LN");

/// <summary>
/// Realistic synthetic core banking extracts for tests, demo data and benchmarks, deterministic for a seed:
/// branches of uneven size, loan officers per branch, Chinese borrower names, farm and small-business
/// products, and an overdue distribution like a rural credit cooperative's (most loans current, a tail of
/// long-overdue loans, a few restructured). <see cref="NextDay"/> moves a book on by one day: a few
/// loans repaid, a few newly overdue, some cured, some new loans.
/// </summary>
public static class ExtractGenerator
{
    private static readonly string[] Surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗", "欧阳", "司马"];
    private static readonly string[] Given = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建国", "春生"];
    private static readonly (string Code, GuaranteeType Guarantee, long MinFen, long MaxFen)[] Products =
    [
        ("FMC", GuaranteeType.Credit, 1_000_000, 30_000_000),          // 农户小额信用贷款 10k-300k
        ("FJG", GuaranteeType.Guarantee, 2_000_000, 50_000_000),       // 农户联保贷款 20k-500k
        ("FHH", GuaranteeType.Guarantee, 3_000_000, 100_000_000),      // farmer household 30k-1M
        ("SME", GuaranteeType.Mortgage, 20_000_000, 500_000_000),      // small business 200k-5M
        ("AGR", GuaranteeType.Pledge, 5_000_000, 200_000_000),         // agricultural enterprise, pledged 50k-2M
    ];

    public static string BranchId(GeneratorOptions o, int branch) => $"{o.BranchPrefix}{branch + 1:00}";

    public static string OfficerId(GeneratorOptions o, int branch, int officer) => $"lo-{BranchId(o, branch).ToLowerInvariant()}-{officer + 1:00}";

    /// <summary>The book on <see cref="GeneratorOptions.AsOf"/>, streamed in loan order.</summary>
    public static IEnumerable<LoanRecord> Generate(GeneratorOptions o)
    {
        var weights = Enumerable.Range(0, o.Branches).Select(i => 1.0 / Math.Pow(i + 1, 0.7)).ToArray();
        var total = weights.Sum();
        var branchIds = Enumerable.Range(0, o.Branches).Select(i => Identity.BranchId.Parse(BranchId(o, i))).ToArray();
        var officers = Enumerable.Range(0, o.Branches).Select(b => Enumerable.Range(0, o.OfficersPerBranch).Select(k => OfficerId(o, b, k)).ToArray()).ToArray();
        var random = new Random(o.Seed);
        for (var n = 0; n < o.Loans; n++)
        {
            var pick = random.NextDouble() * total;
            var b = 0;
            while (b < o.Branches - 1 && (pick -= weights[b]) > 0)
            {
                b++;
            }

            yield return Loan(o, random, n, branchIds[b], officers[b][random.Next(o.OfficersPerBranch)]);
        }
    }

    /// <summary>
    /// The same book one day later: overdue loans stay overdue (one day more), about 0.3% of current loans fall
    /// overdue, about 2% of overdue loans are cured, 0.1% of loans are repaid and leave, and a few new loans come.
    /// Deterministic for the seed and the date, across processes (<see cref="HashCode"/> is randomised per process, so
    /// the seed is combined by plain arithmetic).
    /// </summary>
    public static IEnumerable<LoanRecord> NextDay(IEnumerable<LoanRecord> book, GeneratorOptions o, DateOnly day)
    {
        var random = new Random(unchecked((o.Seed * 1_000_003) ^ day.DayNumber));
        var count = 0;
        LoanRecord? last = null;
        foreach (var loan in book)
        {
            count++;
            last = loan;
            var roll = random.NextDouble();
            if (roll < 0.001)
            {
                continue; // Repaid in full.
            }

            if (loan.OverdueSince is null && roll < 0.004)
            {
                yield return loan with { PrincipalOverdueSince = day.AddDays(-1), OverduePrincipalFen = loan.BalanceFen / 10 };
            }
            else if (loan.OverdueSince is not null && roll < 0.021)
            {
                yield return loan with
                {
                    PrincipalOverdueSince = null, InterestOverdueSince = null, OverduePrincipalFen = 0, OverdueInterestFen = 0,
                    BalanceFen = loan.BalanceFen - (loan.BalanceFen / 5),
                };
            }
            else if (roll < 0.05 && loan.BalanceFen > 10_000)
            {
                yield return loan with { BalanceFen = loan.BalanceFen - 10_000 }; // An instalment paid.
            }
            else
            {
                yield return loan;
            }
        }

        if (last is not null)
        {
            var fresh = Math.Max(1, count / 2000);
            for (var n = 0; n < fresh; n++)
            {
                var loan = Loan(o with { AsOf = day }, random, 0, last.Branch, last.OfficerId);
                yield return loan with
                {
                    LoanId = $"{o.LoanPrefix}{day:yyMMdd}N{n:000000}",
                    PrincipalOverdueSince = null, InterestOverdueSince = null, OverduePrincipalFen = 0, OverdueInterestFen = 0, Restructured = false,
                    DisbursedOn = day, BalanceFen = loan.PrincipalFen,
                };
            }
        }
    }

    private static LoanRecord Loan(GeneratorOptions o, Random random, int n, BranchId branch, string officer)
    {
        var product = Products[random.Next(Products.Length)];
        var principal = RoundToHundredYuan(product.MinFen + (long)(Math.Pow(random.NextDouble(), 2) * (product.MaxFen - product.MinFen)));
        var disbursed = o.AsOf.AddDays(-random.Next(30, 1100));
        var maturity = disbursed.AddMonths(random.Next(1, 4) * 12);
        var balance = Math.Max(100, (long)(principal * (0.2 + (0.8 * random.NextDouble()))));
        var days = OverdueDays(random);
        var restructured = random.NextDouble() < 0.005;
        DateOnly? principalSince = null;
        DateOnly? interestSince = null;
        long overduePrincipal = 0;
        long overdueInterest = 0;
        if (days > 0)
        {
            var since = o.AsOf.AddDays(-days);
            overdueInterest = balance * Math.Min(days, 720) / 5000;
            if (random.NextDouble() < 0.3)
            {
                interestSince = since; // Interest overdue longer than principal.
                principalSince = random.NextDouble() < 0.5 ? null : since.AddDays(random.Next(0, days + 1));
            }
            else
            {
                principalSince = since;
                interestSince = random.NextDouble() < 0.5 ? null : since.AddDays(random.Next(0, days + 1));
            }

            overduePrincipal = principalSince is null ? 0 : Math.Min(balance, balance * Math.Min(days, 400) / 400);
        }

        var name = Surnames[random.Next(Surnames.Length)] + Given[random.Next(Given.Length)] + (random.NextDouble() < 0.4 ? Given[random.Next(Given.Length)] : string.Empty);
        var group = product.Code == "FJG" ? $"G{branch.Value}-{random.Next(1, 400):000}" : string.Empty;
        return new LoanRecord($"{o.LoanPrefix}{n:D8}", branch, officer, $"C{random.Next(1, 99_999_999):D8}", name, group, product.Code, product.Guarantee,
            principal, Math.Min(balance, principal), disbursed, maturity, principalSince, interestSince, overduePrincipal, overdueInterest, restructured, random.NextDouble() < 0.01);
    }

    /// <summary>88% current; then 1-90, 91-180, 181-270, 271-360 and 361-1500 days overdue.</summary>
    private static int OverdueDays(Random random)
    {
        var r = random.NextDouble();
        return r < 0.88 ? 0
            : r < 0.93 ? random.Next(1, 91)
            : r < 0.95 ? random.Next(91, 181)
            : r < 0.965 ? random.Next(181, 271)
            : r < 0.975 ? random.Next(271, 361)
            : random.Next(361, 1501);
    }

    private static long RoundToHundredYuan(long fen) => Math.Max(10_000, fen / 10_000 * 10_000);
}
