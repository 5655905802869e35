using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Domain.Tests;

/// <summary>
/// The weekly report's numbers from a known pair of end-of-week snapshots, checked by hand (amounts in yuan):
/// <code>
/// loan  end of W46 (11-15)      end of W47 (11-22)     what happened
/// L1    Normal 100,000          Normal 95,000          repaid a little, stays Normal
/// L2    SpecialMention 50,000   Substandard 50,000     new NPL
/// L3    Substandard 30,000      Normal 30,000          cure
/// L4    Doubtful 20,000         Doubtful 15,000        recovery of 5,000
/// L5    Normal 40,000           -                      repaid, gone
/// L6    -                       Normal 60,000          new loan
/// L7    -                       Substandard 10,000     new (restructured) loan, new NPL
/// L8    Loss 8,000              -                      recovered in full, gone
/// W46: total 288,000 - 40,000 = 248,000; NPL 30,000 + 20,000 + 8,000 = 58,000; ratio 58/248 = 0.233871
/// W47: total 95,000 + 50,000 + 30,000 + 15,000 + 60,000 + 10,000 = 260,000; NPL 50,000 + 15,000 + 10,000 = 75,000; ratio 0.288462
/// </code>
/// </summary>
public class WeeklyReportTests
{
    private static readonly ReportWeek W47 = new(2026, 47);
    private static readonly DateOnly Baseline = new(2026, 11, 15);
    private static readonly DateOnly AsOf = new(2026, 11, 22);

    private static LoanSnapshot Snap(string id, LoanCategory category, long yuan, string officer = "lo-1") =>
        new(id, officer, "C-" + id, "借款人" + id, string.Empty, "FMC", GuaranteeType.Credit, yuan * 100, 0, null, 0, false, category, category,
            category.IsNpl() ? new DateOnly(2026, 9, 1) : null);

    private static readonly LoanSnapshot[] Start =
    [
        Snap("L1", LoanCategory.Normal, 100_000), Snap("L2", LoanCategory.SpecialMention, 50_000), Snap("L3", LoanCategory.Substandard, 30_000),
        Snap("L4", LoanCategory.Doubtful, 20_000), Snap("L5", LoanCategory.Normal, 40_000), Snap("L8", LoanCategory.Loss, 8_000),
    ];

    private static readonly LoanSnapshot[] End =
    [
        Snap("L1", LoanCategory.Normal, 95_000), Snap("L2", LoanCategory.Substandard, 50_000), Snap("L3", LoanCategory.Normal, 30_000),
        Snap("L4", LoanCategory.Doubtful, 15_000), Snap("L6", LoanCategory.Normal, 60_000), Snap("L7", LoanCategory.Substandard, 10_000),
    ];

    private static DayTotals Totals(IEnumerable<LoanSnapshot> loans)
    {
        var totals = new DayTotals();
        foreach (var l in loans)
        {
            totals.Add(l.Category, l.BalanceFen, 0);
        }

        return totals;
    }

    private static DayTotals Book(long totalYuan, long nplYuan)
    {
        var t = new DayTotals();
        t.Add(LoanCategory.Normal, (totalYuan - nplYuan) * 100, 0);
        t.Add(LoanCategory.Substandard, nplYuan * 100, 100);
        return t;
    }

    private static LedgerLine Ledger(string id, long yuan, LoanCategory category, DateOnly overdueSince, DateOnly firstNpl, IReadOnlyList<ResponsibleShare>? people = null,
        DateOnly? inspected = null, LitigationStatus litigation = LitigationStatus.None, bool inNpl = true) =>
        new(id, "B01", "lo-1", "C-" + id, "借款人" + id, "FMC", "Credit", yuan * 100, 0, category, inNpl, overdueSince, firstNpl, inNpl ? null : AsOf,
            false, people ?? [], null, null, inspected, litigation);

    private static WeeklyReportInput Input(WeekMovements? movements = null)
    {
        var moves = movements ?? new WeekMovements();
        if (movements is null)
        {
            moves.Add("B01", Start.ToDictionary(s => s.LoanId), End);
        }

        return new WeeklyReportInput
        {
            Week = W47,
            Scope = WeeklyReportBuilder.Union,
            ScopeName = "联社 Union",
            AsOf = AsOf,
            Baseline = Baseline,
            YearStart = new DateOnly(2025, 12, 31),
            Now = Totals(End),
            WeekAgo = Totals(Start),
            AtYearStart = Book(200_000, 10_000),
            BranchesNow = new Dictionary<string, DayTotals> { ["B01"] = Totals(End), ["B02"] = Book(100_000, 10_000) },
            BranchesWeekAgo = new Dictionary<string, DayTotals> { ["B01"] = Totals(Start), ["B02"] = Book(100_000, 20_000) },
            BranchNames = new Dictionary<string, string> { ["B01"] = "城关信用社", ["B02"] = "河口信用社" },
            Movements = moves,
            Ledger =
            [
                Ledger("L2", 50_000, LoanCategory.Substandard, new DateOnly(2026, 8, 1), new DateOnly(2026, 11, 20),
                    [new ResponsibleShare("a", "甲", "Investigation", 30m), new ResponsibleShare("b", "乙", "Approval", 70m)]),
                Ledger("L4", 15_000, LoanCategory.Doubtful, new DateOnly(2026, 5, 26), new DateOnly(2026, 8, 24),
                    [new ResponsibleShare("a", "甲", "Investigation", 100m)], inspected: new DateOnly(2026, 10, 22)),
                Ledger("L7", 10_000, LoanCategory.Substandard, new DateOnly(2026, 6, 1), new DateOnly(2026, 11, 18)),
                Ledger("L9", 70_000, LoanCategory.Loss, new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), inspected: new DateOnly(2026, 11, 1),
                    litigation: LitigationStatus.Filed, inNpl: false),
                Ledger("L3", 30_000, LoanCategory.Normal, new DateOnly(2026, 5, 1), new DateOnly(2026, 6, 1), inNpl: false),
            ],
            Warnings = [new WarningLine(new DateOnly(2026, 11, 20), "npl-ratio/B01", "不良贷款预警 NPL ratio of B01"), new WarningLine(new DateOnly(2026, 11, 17), "new-npl/L2", "新增不良贷款 L2")],
            Trend = [new TrendInput(new ReportWeek(2026, 46), Baseline, Totals(Start)), new TrendInput(new ReportWeek(2026, 45), null, null), new TrendInput(W47, AsOf, Totals(End))],
        };
    }

    [Fact]
    public void Positions_now_a_week_ago_and_at_the_start_of_the_year_are_the_hand_checked_totals()
    {
        var report = WeeklyReportBuilder.Build(Input());
        Assert.True(report.HasData);
        Assert.Equal(AsOf, report.AsOf);
        Assert.Equal(260_000m, report.Now!.TotalBalance);
        Assert.Equal(75_000m, report.Now.NplBalance);
        Assert.Equal(0.288462m, report.Now.NplRatio);
        Assert.Equal(3, report.Now.NplLoans);
        Assert.Equal([185_000m, 0m, 60_000m, 15_000m, 0m], report.Now.Categories.Select(c => c.Balance));
        Assert.Equal(248_000m, report.WeekAgo!.TotalBalance);
        Assert.Equal(58_000m, report.WeekAgo.NplBalance);
        Assert.Equal(0.233871m, report.WeekAgo.NplRatio);
        Assert.Equal(Baseline, report.WeekAgo.Date);
        Assert.Equal(0.05m, report.YearStart!.NplRatio);
    }

    [Fact]
    public void Migration_table_over_the_week_is_from_by_to_with_new_and_gone()
    {
        var m = WeeklyReportBuilder.Build(Input()).Migration!;
        Assert.Equal(["Normal", "SpecialMention", "Substandard", "Doubtful", "Loss", "Gone"], m.Columns);
        Assert.Equal(["New", "Normal", "SpecialMention", "Substandard", "Doubtful", "Loss"], m.Rows.Select(r => r.From));
        Assert.Equal([1L, 0, 1, 0, 0, 0], m.Rows[0].Counts);          // New: L6 Normal, L7 Substandard
        Assert.Equal([60_000m, 0, 10_000m, 0, 0, 0], m.Rows[0].Balances);
        Assert.Equal([1L, 0, 0, 0, 0, 1], m.Rows[1].Counts);          // Normal: L1 stays, L5 gone
        Assert.Equal([95_000m, 0, 0, 0, 0, 40_000m], m.Rows[1].Balances);
        Assert.Equal([0L, 0, 1, 0, 0, 0], m.Rows[2].Counts);          // SpecialMention: L2 to Substandard
        Assert.Equal([1L, 0, 0, 0, 0, 0], m.Rows[3].Counts);          // Substandard: L3 cured to Normal
        Assert.Equal([0L, 0, 0, 1, 0, 0], m.Rows[4].Counts);          // Doubtful: L4 stays
        Assert.Equal([0L, 0, 0, 0, 0, 1], m.Rows[5].Counts);          // Loss: L8 gone
        Assert.Equal([0m, 0, 0, 0, 0, 8_000m], m.Rows[5].Balances);
        Assert.Equal(8, m.Rows.Sum(r => r.Counts.Sum()));              // every loan of either day once
        Assert.Equal((Baseline, AsOf), (m.From, m.To));
    }

    [Fact]
    public void New_npls_largest_first_cures_and_recoveries_with_amounts()
    {
        var report = WeeklyReportBuilder.Build(Input());
        Assert.Equal(2, report.NewNpls.Count);
        Assert.Equal(60_000m, report.NewNpls.Total);
        Assert.Equal(["L2", "L7"], report.NewNpls.Largest.Select(l => l.LoanId));
        Assert.Equal([null, "SpecialMention"], report.NewNpls.Largest.Select(l => l.From).Reverse());
        Assert.Equal(["L3"], report.Cures.Largest.Select(l => l.LoanId));
        Assert.Equal(30_000m, report.Cures.Total);
        Assert.Equal(13_000m, report.Recoveries.Total);
        Assert.Equal(["L8", "L4"], report.Recoveries.Largest.Select(l => l.LoanId));
        Assert.Equal([8_000m, 5_000m], report.Recoveries.Largest.Select(l => l.Amount));
        Assert.Equal("Gone", report.Recoveries.Largest[0].To);
    }

    [Fact]
    public void Branches_are_ranked_by_npl_ratio_and_by_its_change_over_the_week()
    {
        var report = WeeklyReportBuilder.Build(Input());
        Assert.Equal(["B01", "B02"], report.BranchesByRatio.Select(b => b.Branch));
        Assert.Equal("城关信用社", report.BranchesByRatio[0].Name);
        Assert.Equal(0.054591m, report.BranchesByRatio[0].Change);    // 0.288462 - 0.233871
        Assert.Equal(-0.1m, report.BranchesByRatio[1].Change);        // 0.1 - 0.2
        Assert.Equal(["B01", "B02"], report.BranchesByChange.Select(b => b.Branch));
    }

    [Fact]
    public void Officers_are_ranked_by_their_lending_responsibility_share_of_npl()
    {
        // L2 50,000: a 30% (15,000), b 70% (35,000); L4 15,000: a 100%; L7 10,000: no record, the extract's officer lo-1.
        var officers = WeeklyReportBuilder.Build(Input()).Officers;
        Assert.Equal(["b", "a", "lo-1"], officers.Select(o => o.UserId));
        Assert.Equal([35_000m, 30_000m, 10_000m], officers.Select(o => o.NplBalance));
        Assert.Equal([1L, 2, 1], officers.Select(o => o.Loans));
        Assert.Equal("乙", officers[0].Name);
    }

    [Fact]
    public void Litigation_is_due_from_180_days_overdue_with_nothing_filed_and_inspections_overdue_after_30_days()
    {
        var report = WeeklyReportBuilder.Build(Input());
        // L4: overdue since 05-26 = exactly 180 days on 11-22; L7 since 06-01 is 174 days; L9 has litigation filed (and is cured).
        Assert.Equal(["L4"], report.LitigationDue.Largest.Select(l => l.LoanId));
        Assert.Equal(180, report.LitigationDue.Largest[0].DaysOverdue);
        // L4: inspected 10-22, due by 11-21 < 11-22; L2 and L7 entered NPL this week.
        Assert.Equal(["L4"], report.InspectionsOverdue.Largest.Select(l => l.LoanId));
        Assert.Equal(15_000m, report.InspectionsOverdue.Total);
    }

    [Fact]
    public void Warnings_are_listed_by_day_and_the_trend_keeps_weeks_without_data_as_gaps()
    {
        var report = WeeklyReportBuilder.Build(Input());
        Assert.Equal(["new-npl/L2", "npl-ratio/B01"], report.Warnings.Select(w => w.Cause));
        Assert.Equal([0.233871m, null, 0.288462m], report.Trend.Select(t => t.NplRatio));
        Assert.Equal("2026-W45", report.Trend[1].Week);
    }

    [Fact]
    public void A_week_without_data_says_so_instead_of_failing()
    {
        var report = WeeklyReportBuilder.Build(new WeeklyReportInput { Week = W47, Scope = "B01" });
        Assert.False(report.HasData);
        Assert.Null(report.Now);
        Assert.Contains("nothing to report", report.Notes.Single());
        Assert.Equal(new DateOnly(2026, 11, 16), report.WeekStart);
    }

    [Fact]
    public void Without_last_weeks_snapshot_the_migration_is_left_out_and_the_report_says_why()
    {
        var input = Input();
        var report = WeeklyReportBuilder.Build(new WeeklyReportInput
        {
            Week = input.Week, Scope = input.Scope, AsOf = new DateOnly(2026, 11, 20), Now = input.Now, BranchesNow = input.BranchesNow,
        });
        Assert.Null(report.Migration);
        Assert.Equal(0, report.NewNpls.Count);
        Assert.Contains(report.Notes, n => n.Contains("2026-11-20", StringComparison.Ordinal));
        Assert.Contains(report.Notes, n => n.Contains("migration table", StringComparison.Ordinal));
        Assert.Null(report.BranchesByRatio[0].Change);
    }

    [Fact]
    public void Movements_of_two_branches_add_up_to_the_union()
    {
        var union = new WeekMovements();
        union.Add("B01", Start.ToDictionary(s => s.LoanId), End);
        union.Add("B02", new Dictionary<string, LoanSnapshot> { ["M1"] = Snap("M1", LoanCategory.Normal, 1_000) }, [Snap("M1", LoanCategory.Loss, 1_000)]);
        var report = WeeklyReportBuilder.Build(Input(union));
        Assert.Equal(3, report.NewNpls.Count);
        Assert.Equal(1, report.Migration!.Rows[1].Counts[4]);           // Normal > Loss: M1
        Assert.Equal(61_000m, report.NewNpls.Total);
    }

    [Theory]
    [InlineData("2026-W47", 2026, 47)]
    [InlineData("2026-w01", 2026, 1)]
    [InlineData("2026-W53", 2026, 53)]
    public void Weeks_are_iso_weeks(string text, int year, int week)
    {
        Assert.True(ReportWeek.TryParse(text, out var parsed));
        Assert.Equal(new ReportWeek(year, week), parsed);
        Assert.Equal(DayOfWeek.Monday, parsed.Monday.DayOfWeek);
    }

    [Theory]
    [InlineData("2025-W53")]
    [InlineData("2026W47")]
    [InlineData("2026-W00")]
    [InlineData("26-W47")]
    [InlineData("")]
    public void Malformed_weeks_are_refused(string text) => Assert.False(ReportWeek.TryParse(text, out _));

    [Fact]
    public void Monday_morning_reports_the_week_that_ended_yesterday()
    {
        Assert.Equal(W47, ReportWeek.EndedBefore(new DateOnly(2026, 11, 23)));
        Assert.Equal(W47, ReportWeek.EndedBefore(new DateOnly(2026, 11, 25)));
        Assert.Equal(new ReportWeek(2026, 46), ReportWeek.EndedBefore(new DateOnly(2026, 11, 22)));
        Assert.Equal(new DateOnly(2026, 11, 22), W47.Sunday);
        Assert.Equal("2026-W47", W47.ToString());
    }
}
