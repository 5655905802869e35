using System.Collections.Concurrent;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>One scope's report with its rendered files (name → bytes): report.html, trend.png, categories.png, ledger.xlsx, ledger.csv.</summary>
public sealed record RenderedReport(WeeklyReport Report, IReadOnlyDictionary<string, byte[]> Files);

/// <summary>
/// Reads what the week's reports need from <see cref="INplHistory"/> once for all the scopes asked for (each
/// branch's snapshots are diffed once; the union adds the branches up), computes each scope's numbers in the
/// domain and renders the files. No mail and no archive here: see <see cref="WeeklyReportService"/>.
/// </summary>
/// <param name="rulesOn">The NPL rules (litigation due, inspection overdue) in force on a date: HQ's classification settings.</param>
public sealed class WeeklyReportAssembler(INplHistory history, ReportChart chart, ReportOptions options, Func<DateOnly, CancellationToken, Task<NplRules>> rulesOn)
{
    public const string Html = "report.html";
    public const string TrendPng = "trend.png";
    public const string CategoriesPng = "categories.png";
    public const string LedgerXlsx = "ledger.xlsx";
    public const string LedgerCsv = "ledger.csv";

    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [Html] = "text/html; charset=utf-8", [TrendPng] = "image/png", [CategoriesPng] = "image/png",
        [LedgerXlsx] = LedgerFiles.XlsxType, [LedgerCsv] = LedgerFiles.CsvType, ["report.json"] = "application/json",
    };

    public async Task<IReadOnlyDictionary<string, RenderedReport>> BuildAsync(
        ReportWeek week, IReadOnlyCollection<string> scopes, IReadOnlyDictionary<string, string> branchNames, CancellationToken cancellationToken)
    {
        var asOf = await history.LatestDayAsync(week.Monday, week.Sunday, cancellationToken);
        var baseline = await history.LatestDayAsync(week.Monday.AddDays(-7), week.Monday.AddDays(-1), cancellationToken);
        var yearStart = asOf is { } a
            ? await history.LatestDayAsync(new DateOnly(a.Year - 1, 12, 1), new DateOnly(a.Year - 1, 12, 31), cancellationToken)
              ?? await history.FirstDayAsync(new DateOnly(a.Year, 1, 1), a, cancellationToken)
            : null;
        var branchScopes = scopes.Where(s => s != WeeklyReportBuilder.Union).ToHashSet(StringComparer.Ordinal);
        var wantUnion = scopes.Contains(WeeklyReportBuilder.Union);

        // Day totals: now, a week ago, the start of the year, and the trend's week ends.
        var trendWeeks = Enumerable.Range(0, options.TrendWeeks).Select(i => Of(week, i - options.TrendWeeks + 1)).ToList();
        var trendDays = new List<DateOnly?>();
        foreach (var w in trendWeeks)
        {
            trendDays.Add(w == week ? asOf : await history.LatestDayAsync(w.Monday, w.Sunday, cancellationToken));
        }

        var days = trendDays.Append(asOf).Append(baseline).Append(yearStart).OfType<DateOnly>().Distinct().ToList();
        var byDay = new Dictionary<DateOnly, (DayTotals? Union, IReadOnlyDictionary<string, DayTotals> Branches)>();
        foreach (var day in days)
        {
            byDay[day] = (await history.TotalsAsync(day, null, cancellationToken), await history.BranchTotalsAsync(day, cancellationToken));
        }

        DayTotals? TotalsOf(DateOnly? day, string scope) => day is { } d && byDay.TryGetValue(d, out var t)
            ? scope == WeeklyReportBuilder.Union ? t.Union : t.Branches.GetValueOrDefault(scope)
            : null;

        // Movements: each branch diffed once, two at a time.
        var movements = new ConcurrentDictionary<string, WeekMovements>(StringComparer.Ordinal);
        if (asOf is { } end && baseline is { } start)
        {
            var branches = wantUnion
                ? (await history.SnapshotBranchesAsync(end, cancellationToken)).Union(await history.SnapshotBranchesAsync(start, cancellationToken)).ToList()
                : [.. branchScopes];
            await Parallel.ForEachAsync(branches, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
                async (branch, ct) =>
                {
                    var before = new Dictionary<string, LoanSnapshot>(StringComparer.Ordinal);
                    await foreach (var loan in history.SnapshotAsync(start, branch, ct))
                    {
                        before[loan.LoanId] = loan;
                    }

                    var after = new List<LoanSnapshot>();
                    await foreach (var loan in history.SnapshotAsync(end, branch, ct))
                    {
                        after.Add(loan);
                    }

                    var moves = new WeekMovements();
                    moves.Add(branch, before, after);
                    movements[branch] = moves;
                });
        }

        WeekMovements? MovementsOf(string scope)
        {
            if (asOf is null || baseline is null)
            {
                return null;
            }

            if (scope != WeeklyReportBuilder.Union)
            {
                return movements.TryGetValue(scope, out var m) ? m : new WeekMovements();
            }

            var union = new WeekMovements();
            foreach (var branch in movements.Keys.Order(StringComparer.Ordinal))
            {
                union.Merge(movements[branch]);
            }

            return union;
        }

        // The ledger: once for the union, else once per branch. The job keeps the row of every loan that was ever NPL; the
        // report takes those in NPL and those that left NPL this week (a loan cured or repaid long ago is not this week's news).
        bool OfTheWeek(LedgerLine line) => line.InNpl || line.CuredOn >= week.Monday;
        var ledger = new Dictionary<string, List<LedgerLine>>(StringComparer.Ordinal);
        if (wantUnion)
        {
            var all = new List<LedgerLine>();
            await foreach (var line in history.LedgerAsync(null, cancellationToken))
            {
                if (OfTheWeek(line))
                {
                    all.Add(line);
                }
            }

            ledger[WeeklyReportBuilder.Union] = all;
            foreach (var group in all.GroupBy(l => l.Branch, StringComparer.Ordinal))
            {
                ledger[group.Key] = [.. group];
            }
        }
        else
        {
            foreach (var branch in branchScopes)
            {
                var lines = new List<LedgerLine>();
                await foreach (var line in history.LedgerAsync(branch, cancellationToken))
                {
                    if (OfTheWeek(line))
                    {
                        lines.Add(line);
                    }
                }

                ledger[branch] = lines;
            }
        }

        var rules = await rulesOn(asOf ?? week.Sunday, cancellationToken); // HQ's thresholds on the day the figures are as of
        var inputs = new List<WeeklyReportInput>();
        foreach (var scope in scopes.Distinct())
        {
            var now = asOf is { } d1 && byDay.TryGetValue(d1, out var n) ? n.Branches : new Dictionary<string, DayTotals>();
            var ago = baseline is { } d2 && byDay.TryGetValue(d2, out var b) ? b.Branches : new Dictionary<string, DayTotals>();
            var isUnion = scope == WeeklyReportBuilder.Union;
            inputs.Add(new WeeklyReportInput
            {
                Week = week,
                Scope = scope,
                ScopeName = isUnion ? "联社 Union" : $"{branchNames.GetValueOrDefault(scope, scope)} ({scope})",
                AsOf = TotalsOf(asOf, scope) is null ? null : asOf,
                Baseline = baseline,
                YearStart = yearStart,
                Now = TotalsOf(asOf, scope),
                WeekAgo = TotalsOf(baseline, scope),
                AtYearStart = TotalsOf(yearStart, scope),
                BranchesNow = isUnion ? now : now.Where(p => p.Key == scope).ToDictionary(),
                BranchesWeekAgo = isUnion ? ago : ago.Where(p => p.Key == scope).ToDictionary(),
                BranchNames = branchNames,
                Trend = [.. trendWeeks.Select((w, i) => new TrendInput(w, trendDays[i], TotalsOf(trendDays[i], scope)))],
                Movements = MovementsOf(scope),
                Ledger = ledger.GetValueOrDefault(scope) ?? [],
                Warnings = await history.WarningsAsync(week.Monday, week.Sunday, isUnion ? null : scope, cancellationToken),
                Rules = rules,
                ListLimit = options.ListLimit,
            });
        }

        var rendered = new ConcurrentDictionary<string, RenderedReport>(StringComparer.Ordinal);
        Parallel.ForEach(inputs, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) },
            input => rendered[input.Scope] = Render(WeeklyReportBuilder.Build(input), input.Ledger));
        return rendered;
    }

    public RenderedReport Render(WeeklyReport report, IReadOnlyList<LedgerLine> ledger) => new(report, new Dictionary<string, byte[]>
    {
        [Html] = System.Text.Encoding.UTF8.GetBytes(ReportHtml.Render(report, name => name + ".png")),
        [TrendPng] = chart.Trend(report),
        [CategoriesPng] = chart.Categories(report),
        [LedgerXlsx] = LedgerFiles.Xlsx($"不良贷款台账 NPL ledger · {report.ScopeName} · {report.Week} (as of {report.AsOf?.ToString("yyyy-MM-dd") ?? "-"})", ledger),
        [LedgerCsv] = LedgerFiles.Csv(ledger),
    });

    private static ReportWeek Of(ReportWeek week, int offset) => ReportWeek.Of(week.Monday.AddDays(7 * offset));
}
