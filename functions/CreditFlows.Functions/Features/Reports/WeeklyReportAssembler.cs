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

    /// <summary>Storage reads in flight at once (snapshots, ledger exports and partitions, rows read again): they wait on storage as much as they decode.</summary>
    internal static readonly int ReadConcurrency = Math.Max(4, 2 * Environment.ProcessorCount);

    public static readonly IReadOnlyDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [Html] = "text/html; charset=utf-8", [TrendPng] = "image/png", [CategoriesPng] = "image/png",
        [LedgerXlsx] = LedgerFiles.XlsxType, [LedgerCsv] = LedgerFiles.CsvType, ["report.json"] = "application/json",
    };

    /// <param name="rendered">Called with each scope's report as soon as its files are rendered (from a rendering thread), so a
    /// caller can store it while the other scopes render.</param>
    public async Task<IReadOnlyDictionary<string, RenderedReport>> BuildAsync(
        ReportWeek week, IReadOnlyCollection<string> scopes, IReadOnlyDictionary<string, string> branchNames, CancellationToken cancellationToken,
        ReportTimings? timings = null, Action<RenderedReport>? rendered = null)
    {
        var phase = System.Diagnostics.Stopwatch.StartNew();
        var branchScopes = scopes.Where(s => s != WeeklyReportBuilder.Union).ToHashSet(StringComparer.Ordinal);
        var wantUnion = scopes.Contains(WeeklyReportBuilder.Union);

        // The monitored days, in one query: this week's last (as of), last week's (the baseline), the trend's week ends and
        // the start of the year (the last day of December before, else the year's first monitored day).
        var trendWeeks = Enumerable.Range(0, options.TrendWeeks).Select(i => Of(week, i - options.TrendWeeks + 1)).ToList();
        var from = new[] { trendWeeks[0].Monday, week.Monday.AddDays(-7), new DateOnly(week.Monday.Year - 1, 12, 1) }.Min();
        var monitored = await history.DaysAsync(from, week.Sunday, cancellationToken);
        DateOnly? Latest(DateOnly first, DateOnly last) => monitored.Where(d => d >= first && d <= last).Select(d => (DateOnly?)d).LastOrDefault();
        var asOf = Latest(week.Monday, week.Sunday);
        var baseline = Latest(week.Monday.AddDays(-7), week.Monday.AddDays(-1));
        var yearStart = asOf is { } a
            ? Latest(new DateOnly(a.Year - 1, 12, 1), new DateOnly(a.Year - 1, 12, 31))
              ?? monitored.Where(d => d >= new DateOnly(a.Year, 1, 1) && d <= a).Select(d => (DateOnly?)d).FirstOrDefault()
            : null;
        var trendDays = trendWeeks.Select(w => Latest(w.Monday, w.Sunday)).ToList();

        // Everything else is read at once: day totals, the movements (each branch's two snapshots diffed once), the ledger
        // (once per branch) and the week's warnings (once).
        var days = trendDays.Append(asOf).Append(baseline).Append(yearStart).OfType<DateOnly>().Distinct().ToList();
        var totalsTask = Task.WhenAll(days.Select(async day =>
            (Day: day, Union: await history.TotalsAsync(day, null, cancellationToken), Branches: await history.BranchTotalsAsync(day, cancellationToken))));
        // The snapshots' shard counts, read once per day (the day's run row names them), not once per branch.
        var shardsNow = asOf is { } n0 ? await history.SnapshotShardsAsync(n0, cancellationToken) : new Dictionary<string, int>();
        var shardsAgo = baseline is { } b0 ? await history.SnapshotShardsAsync(b0, cancellationToken) : new Dictionary<string, int>();
        var snapshotBranches = wantUnion ? shardsNow.Keys.Union(shardsAgo.Keys, StringComparer.Ordinal).ToList() : [];
        var movementsTask = MovementsAsync(asOf, baseline, shardsNow, shardsAgo, wantUnion ? snapshotBranches : [.. branchScopes], cancellationToken);
        var warningsTask = history.WarningsAsync(week.Monday, week.Sunday, cancellationToken);
        var byDay = (await totalsTask).ToDictionary(t => t.Day, t => (t.Union, t.Branches));
        // The job keeps the ledger row of every loan that was ever NPL; the report takes those in NPL and those that left NPL
        // this week (a loan cured or repaid long ago is not this week's news).
        var ledger = await LedgerAsync(
            wantUnion ? [.. branchScopes, .. branchNames.Keys, .. snapshotBranches, .. byDay.Values.SelectMany(t => t.Branches.Keys)] : branchScopes,
            wantUnion, week.Monday, cancellationToken);
        var movements = await movementsTask;
        var warnings = await warningsTask;

        DayTotals? TotalsOf(DateOnly? day, string scope) => day is { } d && byDay.TryGetValue(d, out var t)
            ? scope == WeeklyReportBuilder.Union ? t.Union : t.Branches.GetValueOrDefault(scope)
            : null;

        WeekMovements? MovementsOf(string scope)
        {
            if (movements is null)
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
                Warnings = [.. warnings.Where(w => isUnion || w.Branches.Contains(scope)).Select(w => w.Warning)],
                Rules = rules,
                ListLimit = options.ListLimit,
            });
        }

        timings?.AddRead(phase);
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) };
        var reports = new WeeklyReport[inputs.Count];
        Parallel.For(0, inputs.Count, parallel, i => reports[i] = WeeklyReportBuilder.Build(inputs[i]));
        timings?.AddCompute(phase);

        var all = RenderAll(reports, [.. inputs.Select(i => i.Ledger)], cancellationToken, rendered);
        timings?.AddRender(phase);
        return all;
    }

    /// <summary>Each branch's week: its two end-of-day snapshots diffed once (the union's adds them up); null without both days.</summary>
    private async Task<ConcurrentDictionary<string, WeekMovements>?> MovementsAsync(
        DateOnly? asOf, DateOnly? baseline, IReadOnlyDictionary<string, int> shardsNow, IReadOnlyDictionary<string, int> shardsAgo,
        IReadOnlyList<string> branches, CancellationToken cancellationToken)
    {
        if (asOf is not { } end || baseline is not { } start)
        {
            return null;
        }

        var movements = new ConcurrentDictionary<string, WeekMovements>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(branches, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = ReadConcurrency },
            async (branch, ct) =>
            {
                using var before = await history.SnapshotAsync(start, branch, shardsAgo.GetValueOrDefault(branch), ct);
                using var after = await history.SnapshotAsync(end, branch, shardsNow.GetValueOrDefault(branch), ct);
                var moves = new WeekMovements();
                moves.Add(branch, before, after);
                movements[branch] = moves;
            });
        return movements;
    }

    /// <summary>
    /// The ledger of each branch (from the daily job's ledger export, see <see cref="INplHistory.LedgersAsync"/>); the union's
    /// is that of every branch it knows: the branches asked for, the Branches table, the branches with a snapshot on either day
    /// and those with totals on any day the report reads (see BENCHMARKS.md, weekly report).
    /// </summary>
    private async Task<Dictionary<string, List<LedgerLine>>> LedgerAsync(
        IEnumerable<string> branches, bool wantUnion, DateOnly leftNplSince, CancellationToken cancellationToken)
    {
        var read = await history.LedgersAsync([.. branches.Distinct(StringComparer.Ordinal)], leftNplSince, cancellationToken);
        var ledger = new Dictionary<string, List<LedgerLine>>(read, StringComparer.Ordinal);
        if (wantUnion)
        {
            ledger[WeeklyReportBuilder.Union] = [.. read.OrderBy(b => b.Key, StringComparer.Ordinal).SelectMany(b => b.Value)];
        }

        return ledger;
    }

    /// <summary>
    /// Every scope's files on all cores; scope → report. Each ledger line is formatted and encoded once, though it is in two
    /// ledgers (its branch's and the union's, which is the branches' lines again). Then each file is a piece of work of its
    /// own, the largest ledgers' first: the union's .xlsx is the longest, and started last it would leave one core idle at the
    /// end (see BENCHMARKS.md, weekly report).
    /// </summary>
    public IReadOnlyDictionary<string, RenderedReport> RenderAll(
        IReadOnlyList<WeeklyReport> reports, IReadOnlyList<IReadOnlyList<LedgerLine>> ledgers, CancellationToken cancellationToken, Action<RenderedReport>? done = null)
    {
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) };
        var index = new Dictionary<LedgerLine, int>(ReferenceEqualityComparer.Instance);
        var lines = new List<LedgerLine>();
        foreach (var line in ledgers.SelectMany(l => l))
        {
            if (index.TryAdd(line, lines.Count))
            {
                lines.Add(line);
            }
        }

        var encoded = new LedgerRow[lines.Count];
        if (lines.Count > 0)
        {
            Parallel.ForEach(Partitioner.Create(0, lines.Count, 2048), parallel, range =>
            {
                for (var i = range.Item1; i < range.Item2; i++)
                {
                    encoded[i] = LedgerFiles.Encode(lines[i]);
                }
            });
        }

        var rows = new List<LedgerRow>[reports.Count];
        Parallel.For(0, reports.Count, parallel, i => rows[i] = LedgerFiles.Sort(ledgers[i].Select(l => encoded[index[l]])));

        var files = new Dictionary<string, byte[]>[reports.Count];
        for (var i = 0; i < reports.Count; i++)
        {
            files[i] = [];
        }

        string[] kinds = [LedgerXlsx, LedgerCsv, TrendPng, CategoriesPng, Html];
        var left = Enumerable.Repeat(kinds.Length, reports.Count).ToArray(); // files still to render, per scope
        var work = Enumerable.Range(0, reports.Count).OrderByDescending(i => rows[i].Count).SelectMany(i => kinds.Select(kind => (Scope: i, Kind: kind))).ToList();
        Parallel.ForEach(Partitioner.Create(work, EnumerablePartitionerOptions.NoBuffering), parallel, w =>
        {
            var report = reports[w.Scope];
            var bytes = w.Kind switch
            {
                LedgerXlsx => LedgerFiles.Xlsx($"不良贷款台账 NPL ledger · {report.ScopeName} · {report.Week} (as of {report.AsOf?.ToString("yyyy-MM-dd") ?? "-"})", rows[w.Scope]),
                LedgerCsv => LedgerFiles.Csv(rows[w.Scope]),
                TrendPng => chart.Trend(report),
                CategoriesPng => chart.Categories(report),
                _ => System.Text.Encoding.UTF8.GetBytes(ReportHtml.Render(report, name => name + ".png")),
            };
            lock (files[w.Scope])
            {
                files[w.Scope][w.Kind] = bytes;
            }

            if (Interlocked.Decrement(ref left[w.Scope]) == 0)
            {
                done?.Invoke(new RenderedReport(report, files[w.Scope]));
            }
        });

        var rendered = new Dictionary<string, RenderedReport>(StringComparer.Ordinal);
        for (var i = 0; i < reports.Count; i++)
        {
            rendered[reports[i].Scope] = new RenderedReport(reports[i], files[i]);
        }

        return rendered;
    }

    /// <summary>One scope's files: report.html, trend.png, categories.png, ledger.xlsx, ledger.csv.</summary>
    public RenderedReport Render(WeeklyReport report, IReadOnlyList<LedgerLine> ledger) => RenderAll([report], [ledger], CancellationToken.None)[report.Scope];

    private static ReportWeek Of(ReportWeek week, int offset) => ReportWeek.Of(week.Monday.AddDays(7 * offset));
}
