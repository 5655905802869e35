using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Bench.Reports;

// The weekly report's rendering alone, without storage (dotnet run --project bench/CreditFlows.Bench -c Release -- render
// [--lines 78000] [--branches 100] [--reps 5] [--profile]). In memory: a synthetic NPL ledger of `lines` lines over
// `branches` branches (LedgerSamples: uneven branches, Chinese names; the union's ledger is the branches' concatenated, as
// WeeklyReportAssembler reads it) and each scope's WeeklyReport built from made-up totals with a 12-week trend.
// Measured, `reps` times each and interleaved (before, after, after, before, …, so a change in the machine's load hits
// both alike): rendering all the scopes' files (HTML, two PNG charts, ledger .xlsx and .csv) as the Monday build does.
// "before" is the render as it was before issue 7's render work (RenderBefore below, with ReportChartBefore and
// LedgerFilesBefore, the reference copies of the old chart and writers the tests compare with); "after" is WeeklyReportAssembler.RenderAll, the code the build runs.
// CPU is this process's (Process.TotalProcessorTime), wall the stopwatch; the table gives each repetition, then medians.
// --profile also times each of the union's files alone, best of a few.
public static class RenderBenchmark
{
    private static readonly ReportWeek Week = ReportWeek.Of(new DateOnly(2026, 11, 22));

    public static int Run(string[] args)
    {
        var lines = int.Parse(Arg(args, "--lines", "78000"), CultureInfo.InvariantCulture);
        var branchCount = int.Parse(Arg(args, "--branches", "100"), CultureInfo.InvariantCulture);
        var reps = int.Parse(Arg(args, "--reps", "5"), CultureInfo.InvariantCulture);
        Console.WriteLine($"CreditFlows weekly report render benchmark: union of {lines:N0} ledger lines + {branchCount} branches, {reps} repetitions of each");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {Environment.ProcessorCount} logical cores, " +
            $"server GC {GCSettings.IsServerGC}, started {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} UTC");

        var font = ChartFont.Resolve(null);
        Console.WriteLine($"Chart font: {font.File ?? "none with CJK glyphs (charts drawn without Chinese)"}");
        var chart = new ReportChart(font);
        var chartBefore = new ReportChartBefore(font);
        var assembler = new WeeklyReportAssembler(null!, chart, new ReportOptions(), (_, _) => Task.FromResult(NplRules.Default)); // render only: no storage
        var (reports, ledgers) = Scopes(lines, branchCount);
        Console.WriteLine($"Scopes: {reports.Count}; ledger lines: union {ledgers[0].Count:N0}, branches {ledgers.Skip(1).Sum(l => l.Count):N0} in all, " +
            $"largest branch {ledgers.Skip(1).Max(l => l.Count):N0}.");

        var variants = new (string Name, Func<object> Render)[]
        {
            ("before", () => RenderBefore.All(chartBefore, reports, ledgers)),
            ("after", () => assembler.RenderAll(reports, ledgers, CancellationToken.None)),
        };
        if (args.Contains("--profile"))
        {
            Profile(chart, reports[0], ledgers[0]);
            Console.WriteLine($"Profile: union charts, bytes before / after: trend {chartBefore.Trend(reports[0]).Length:N0} / {chart.Trend(reports[0]).Length:N0}, categories {chartBefore.Categories(reports[0]).Length:N0} / {chart.Categories(reports[0]).Length:N0}");
        }

        foreach (var (_, render) in variants)
        {
            render(); // warm-up: JIT, font, pools
        }

        var results = variants.ToDictionary(v => v.Name, _ => new List<(double Cpu, double Wall, double AllocatedMiB)>());
        Console.WriteLine();
        Console.WriteLine("| Rep | Code | CPU (s) | Wall (s) | Allocated (MiB) | Load |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|");
        for (var rep = 1; rep <= reps; rep++)
        {
            foreach (var (name, render) in rep % 2 == 1 ? variants : [.. variants.Reverse()])
            {
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                Thread.Sleep(1000); // the collector's threads go on for a few hundred ms of CPU after a forced collection: not the render's
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var wall = Stopwatch.StartNew();
                var files = render();
                wall.Stop();
                var used = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                var mib = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
                GC.KeepAlive(files);
                results[name].Add((used, wall.Elapsed.TotalSeconds, mib));
                Console.WriteLine($"| {rep} | {name} | {used:0.00} | {wall.Elapsed.TotalSeconds:0.00} | {mib:0} | {Load()} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Code | CPU median (s) | Wall median (s) | Allocated median (MiB) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, r) in results)
        {
            Console.WriteLine($"| {name} | {Median(r.Select(x => x.Cpu)):0.00} | {Median(r.Select(x => x.Wall)):0.00} | {Median(r.Select(x => x.AllocatedMiB)):0} |");
        }

        var (b, a) = (results["before"], results["after"]);
        Console.WriteLine();
        Console.WriteLine($"before / after, medians: CPU {Median(b.Select(x => x.Cpu)) / Median(a.Select(x => x.Cpu)):0.00}×, wall {Median(b.Select(x => x.Wall)) / Median(a.Select(x => x.Wall)):0.00}×; " +
            $"per repetition pair, CPU: {string.Join(", ", b.Zip(a, (x, y) => (x.Cpu / y.Cpu).ToString("0.00", CultureInfo.InvariantCulture)))}.");
        return 0;
    }

    /// <summary>The union (first) and each branch: its report (made-up totals, a 12-week trend) and its ledger.</summary>
    private static (List<WeeklyReport> Reports, List<IReadOnlyList<LedgerLine>> Ledgers) Scopes(int lines, int branchCount)
    {
        var branches = LedgerSamples.Branches(lines, branchCount);
        var names = Enumerable.Range(0, branchCount).ToDictionary(b => $"B{b + 1:00}", b => $"第{b + 1}信用社");
        var random = new Random(11);
        var now = new Dictionary<string, DayTotals>();
        var ago = new Dictionary<string, DayTotals>();
        var trend = new Dictionary<string, DayTotals>[12];
        for (var w = 0; w < trend.Length; w++)
        {
            trend[w] = [];
        }

        foreach (var branch in names.Keys)
        {
            var size = random.Next(2_000, 20_000) * 10_000_000L;
            DayTotals Book(double nplShare)
            {
                var t = new DayTotals();
                t.Add(LoanCategory.Normal, (long)(size * (0.9 - nplShare)), 0);
                t.Add(LoanCategory.SpecialMention, (long)(size * 0.1), 30);
                t.Add(LoanCategory.Substandard, (long)(size * nplShare * 0.5), 120);
                t.Add(LoanCategory.Doubtful, (long)(size * nplShare * 0.3), 400);
                t.Add(LoanCategory.Loss, (long)(size * nplShare * 0.2), 900);
                return t;
            }

            var share = 0.04 + random.NextDouble() * 0.06;
            for (var w = 0; w < trend.Length; w++)
            {
                trend[w][branch] = Book(share * (0.8 + 0.02 * w + 0.03 * random.NextDouble()));
            }

            now[branch] = trend[^1][branch];
            ago[branch] = trend[^2][branch];
        }

        DayTotals? Sum(Dictionary<string, DayTotals> byBranch, string scope)
        {
            if (scope != WeeklyReportBuilder.Union)
            {
                return byBranch.GetValueOrDefault(scope);
            }

            var total = new DayTotals();
            foreach (var t in byBranch.Values)
            {
                total.Merge(t);
            }

            return total;
        }

        var reports = new List<WeeklyReport>();
        List<IReadOnlyList<LedgerLine>> ledgers = [branches.SelectMany(l => l).ToList(), .. branches];
        foreach (var scope in new[] { WeeklyReportBuilder.Union }.Concat(names.Keys))
        {
            var isUnion = scope == WeeklyReportBuilder.Union;
            reports.Add(WeeklyReportBuilder.Build(new WeeklyReportInput
            {
                Week = Week,
                Scope = scope,
                ScopeName = isUnion ? "联社 Union" : $"{names[scope]} ({scope})",
                AsOf = Week.Sunday,
                Baseline = Week.Sunday.AddDays(-7),
                YearStart = new DateOnly(2025, 12, 31),
                Now = Sum(now, scope),
                WeekAgo = Sum(ago, scope),
                AtYearStart = Sum(trend[0], scope),
                BranchesNow = isUnion ? now : now.Where(p => p.Key == scope).ToDictionary(),
                BranchesWeekAgo = isUnion ? ago : ago.Where(p => p.Key == scope).ToDictionary(),
                BranchNames = names,
                Trend = [.. trend.Select((t, w) => new TrendInput(ReportWeek.Of(Week.Sunday.AddDays(7 * (w - 11))), Week.Sunday.AddDays(7 * (w - 11)), Sum(t, scope)))],
                Movements = new WeekMovements(),
                Ledger = ledgers[reports.Count],
                Warnings = [new WarningLine(Week.Monday.AddDays(2), $"npl-ratio/{scope}", $"不良贷款预警 NPL ratio of {scope}")],
                Rules = NplRules.Default,
                ListLimit = 20,
            }));
        }

        return (reports, ledgers);
    }

    /// <summary>Each of the union's files alone, before and after, best of a few (one core).</summary>
    private static void Profile(ReportChart chart, WeeklyReport union, IReadOnlyList<LedgerLine> ledger)
    {
        void Time(string what, int times, Func<object> render)
        {
            render();
            var (best, bestCpu) = (double.MaxValue, double.MaxValue);
            for (var i = 0; i < times; i++)
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                render();
                best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
                bestCpu = Math.Min(bestCpu, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds);
            }

            Console.WriteLine($"Profile: {what}: {best:0.0} ms wall, {bestCpu:0} ms CPU (best of {times})");
        }

        var rows = LedgerFilesBefore.Rows(ledger);
        Time($"before, union rows sorted and formatted ({ledger.Count:N0})", 5, () => LedgerFilesBefore.Rows(ledger));
        Time("before, union .xlsx from the rows", 3, () => LedgerFilesBefore.Xlsx("title", rows));
        Time("before, union .csv from the rows", 3, () => LedgerFilesBefore.Csv(rows));
        var encoded = LedgerFiles.Sort(ledger.Select(LedgerFiles.Encode));
        Time($"after, union rows formatted, encoded and sorted ({ledger.Count:N0})", 5, () => LedgerFiles.Sort(ledger.Select(LedgerFiles.Encode)));
        var lines = ledger.Select(LedgerFiles.Encode).ToList();
        Time("after, union rows sorted (encoded before)", 5, () => LedgerFiles.Sort(lines));
        Time("after, union .xlsx from the rows", 3, () => LedgerFiles.Xlsx("title", encoded));
        Time("after, union .csv from the rows", 3, () => LedgerFiles.Csv(encoded));
        Time("after, union trend chart", 20, () => chart.Trend(union));
        Time("after, union categories chart", 20, () => chart.Categories(union));
        Time("union HTML", 10, () => ReportHtml.Render(union, n => n + ".png"));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "-";

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    /// <summary>The render as WeeklyReportAssembler did it before issue 7's render work: a Parallel.For over the scopes, each scope's files one after another.</summary>
    private static class RenderBefore
    {
        public static IReadOnlyDictionary<string, RenderedReport> All(ReportChartBefore chart, IReadOnlyList<WeeklyReport> reports, IReadOnlyList<IReadOnlyList<LedgerLine>> ledgers)
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) };
            var rendered = new System.Collections.Concurrent.ConcurrentDictionary<string, RenderedReport>(StringComparer.Ordinal);
            Parallel.For(0, reports.Count, parallel, i => rendered[reports[i].Scope] = Render(chart, reports[i], ledgers[i]));
            return rendered;
        }

        private static RenderedReport Render(ReportChartBefore chart, WeeklyReport report, IReadOnlyList<LedgerLine> ledger)
        {
            var rows = LedgerFilesBefore.Rows(ledger);
            return new(report, new Dictionary<string, byte[]>
            {
                [WeeklyReportAssembler.Html] = System.Text.Encoding.UTF8.GetBytes(ReportHtml.Render(report, name => name + ".png")),
                [WeeklyReportAssembler.TrendPng] = chart.Trend(report),
                [WeeklyReportAssembler.CategoriesPng] = chart.Categories(report),
                [WeeklyReportAssembler.LedgerXlsx] = LedgerFilesBefore.Xlsx($"不良贷款台账 NPL ledger · {report.ScopeName} · {report.Week} (as of {report.AsOf?.ToString("yyyy-MM-dd") ?? "-"})", rows),
                [WeeklyReportAssembler.LedgerCsv] = LedgerFilesBefore.Csv(rows),
            });
        }
    }
}
