using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// End to end: hand-made core banking extracts for Sunday 2026-11-08 (end of W45), 11-15 (end of W46), Wednesday 11-18 and
/// Sunday 11-22 (end of W47) go through the real daily NPL job (NplPrepareDay → NplShard, as the host would call them), then the weekly
/// report of 2026-W47 is built through the API and checked against hand-worked numbers, the job's own summary and ledger
/// API, and a field a RiskManager set. Nothing here is seeded by hand except the extracts; tables, containers and queues
/// are this test's own. The clock is Monday 2026-11-23. A shard holds at most 100 loans (the least the settings allow).
/// </summary>
/// <remarks>
/// The book (balances in yuan; days overdue by the default rules: 1-90 special mention, 91+ substandard, 271+ doubtful):
/// <code>
///            11-15 (W46 end)           11-18                  11-22 (W47 end)
/// B01 N1 刘芳   200,000 Normal          Normal                 Normal
///     X1 王建国  80,000 85d SM           88d SM                 92d Substandard   ← new NPL (the interest date is the older one)
///     M1 欧阳秀英 60,000 268d Substandard 271d Doubtful          275d Doubtful     ← migration Substandard → Doubtful
///     R1 张伟    30,000 150d Substandard  gone (repaid)          gone              ← leaves the book: a recovery of 30,000
/// B02 N2 陈静   150,000 Normal          Normal                 Normal
///     C1 李秀英  50,000 120d Substandard 123d Substandard       45,000 current    ← cured
///     D1 赵磊    40,000 300d Doubtful    303d Doubtful          35,000 307d       ← partial recovery of 5,000
///     N3 孙丽          -                 -                     100,000 Normal    ← new loan
/// </code>
/// Before them, the extract of 11-08 (end of W45) has only Q1 吴强 of B01, 25,000 in NPL, repaid by 11-15: it left NPL before
/// W47, so W47's ledger attachment does not list it.
/// </remarks>
public sealed class WeeklyReportFromDailyJobTests : AppTestBase
{
    private static readonly DateOnly W45End = new(2026, 11, 8);
    private static readonly DateOnly W46End = new(2026, 11, 15);
    private static readonly DateOnly MidWeek = new(2026, 11, 18);
    private static readonly DateOnly W47End = new(2026, 11, 22);

    public WeeklyReportFromDailyJobTests()
        : base(new TestApp(settings: Settings()))
    {
        App.WithServices(s => s.AddSingleton(new BusinessClock(new ManualTime(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero)), TimeZoneInfo.Utc)));
    }

    private static Dictionary<string, string?> Settings()
    {
        var id = Guid.NewGuid().ToString("N")[..10];
        return NplHarness.Settings(shardSize: 100, extra: new Dictionary<string, string?>
        {
            ["Npl:NewNplAmount"] = "50000",   // X1 (80,000) is notified the day it turns NPL
            ["Reports:Container"] = $"reports-{id}",
            ["Reports:RecipientsTable"] = $"R{id}",
        });
    }

    private NplHarness Npl => field ??= new NplHarness(App);

    private HttpClient Hq => field ??= App.CreateClient().As(App, "risk-hq", "HQ", Role.RiskManager);

    private HttpClient DirectorB02 => field ??= App.CreateClient().As(App, "dir-b02", "B02", Role.BranchDirector);

    /// <summary>One extract row: overdue since dates (empty when current) and the overdue principal.</summary>
    private sealed record Row(string Id, string Branch, string Officer, string Name, decimal Balance, string PrincipalSince = "", string InterestSince = "", decimal Overdue = 0);

    private static readonly Row Q1 = new("Q1", "B01", "lo-b01", "吴强", 25_000m, "2026-05-01", "", 25_000m);
    private static readonly Row N1 = new("N1", "B01", "lo-b01", "刘芳", 200_000m);
    private static readonly Row X1At15 = new("X1", "B01", "lo-b01", "王建国", 80_000m, "2026-09-01", "2026-08-22", 3_000m);
    private static readonly Row M1 = new("M1", "B01", "lo-b01-02", "欧阳秀英", 60_000m, "2026-02-20", "2026-02-20", 60_000m);
    private static readonly Row R1 = new("R1", "B01", "lo-b01", "张伟", 30_000m, "2026-06-18", "", 30_000m);
    private static readonly Row N2 = new("N2", "B02", "lo-b02", "陈静", 150_000m);
    private static readonly Row C1 = new("C1", "B02", "lo-b02", "李秀英", 50_000m, "2026-07-18", "2026-07-18", 20_000m);
    private static readonly Row D1 = new("D1", "B02", "lo-b02", "赵磊", 40_000m, "2026-01-19", "", 40_000m);
    private static readonly Row N3 = new("N3", "B02", "lo-b02", "孙丽", 100_000m);

    /// <summary>
    /// A core banking file as README "Daily NPL monitoring" describes it: a header, columns in an order of their own,
    /// an unknown column, RFC 4180 quoting, UTF-8 names.
    /// </summary>
    private static byte[] Extract(params Row[] rows)
    {
        var csv = new StringBuilder("remark,balance,loan_id,branch_id,officer_id,borrower_id,borrower_name,group_id,product,guarantee_type,principal,")
            .Append("disbursed_on,maturity_on,principal_overdue_since,interest_overdue_since,overdue_principal,overdue_interest,restructured,employee_related\r\n");
        foreach (var r in rows)
        {
            var money = (decimal m) => m.ToString("0.00", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"\"hand-made, {r.Id}\",{money(r.Balance)},{r.Id},{r.Branch},{r.Officer},C-{r.Id},{r.Name},,FMC,credit,{money(r.Balance)},")
                .Append(CultureInfo.InvariantCulture, $"2025-03-01,2027-03-01,{r.PrincipalSince},{r.InterestSince},{money(r.Overdue)},0,false,false\r\n");
        }

        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    private static readonly Row[] BookOfW47End =
        [N1, X1At15, M1, N2, C1 with { Balance = 45_000m, PrincipalSince = "", InterestSince = "", Overdue = 0 }, D1 with { Balance = 35_000m, Overdue = 35_000m }, N3];

    private async Task RunTheJobAsync()
    {
        var days = new (DateOnly Day, Row[] Book)[]
        {
            (W45End, [Q1]),
            (W46End, [N1, X1At15, M1, R1, N2, C1, D1]),
            (MidWeek, [N1, X1At15, M1, N2, C1, D1]),
            (W47End, BookOfW47End),
        };
        foreach (var (day, book) in days)
        {
            await Npl.UploadAsync(day, Extract(book));
            var logs = await Npl.RunDayAsync(day);
            Assert.Contains(logs, l => l.Contains("Day complete", StringComparison.Ordinal));
            Assert.Equal(Features.Npl.RunStatus.Complete, (await Npl.RunAsync(day))!.Status);
        }
    }

    [Fact]
    public async Task Weekly_report_of_W47_reads_what_the_daily_job_wrote_for_four_hand_made_extracts()
    {
        await RunTheJobAsync();

        // A RiskManager works the ledger before the report is built: D1 gets a collection officer and litigation is filed.
        var patch = await Hq.PatchAsJsonAsync("/api/npl/loans/D1", new { collectionOfficerId = "lo-b02-07", recoverability = "RecoverableWithEffort", litigation = "Filed" });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var built = await Hq.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W47" });
        Assert.Equal(HttpStatusCode.Created, built.StatusCode);
        var archived = JsonNode.Parse(await Hq.GetStringAsync("/api/reports/weekly?week=2026-W47"))!;
        Assert.True(archived["final"]!.GetValue<bool>());
        var report = archived["report"]!;
        Assert.True(report["hasData"]!.GetValue<bool>());
        Assert.Equal("2026-11-22", report["asOf"]!.GetValue<string>());

        // Now: B01 200k + 80k + 60k = 340k (NPL 140k), B02 150k + 45k + 35k + 100k = 330k (NPL 35k); union 670k, NPL 175k.
        var now = report["now"]!;
        Assert.Equal(7L, now["loans"]!.GetValue<long>());
        Assert.Equal(670_000m, now["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(175_000m, now["nplBalance"]!.GetValue<decimal>());
        Assert.Equal(3, now["nplLoans"]!.GetValue<long>());
        Assert.Equal(0.261194m, now["nplRatio"]!.GetValue<decimal>());
        Assert.Equal([("Normal", 4L, 495_000m), ("SpecialMention", 0L, 0m), ("Substandard", 1L, 80_000m), ("Doubtful", 2L, 95_000m), ("Loss", 0L, 0m)], Categories(now));

        // A week ago (11-15, not the mid-week day): B01 370k (NPL 90k), B02 240k (NPL 90k); union 610k, NPL 180k.
        var weekAgo = report["weekAgo"]!;
        Assert.Equal("2026-11-15", weekAgo["date"]!.GetValue<string>());
        Assert.Equal(610_000m, weekAgo["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(180_000m, weekAgo["nplBalance"]!.GetValue<decimal>());
        Assert.Equal(0.295082m, weekAgo["nplRatio"]!.GetValue<decimal>());

        // The union equals what the job's own summary answers for the day.
        var summary = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/summary?date=2026-11-22"))!["totals"]!;
        Assert.Equal(summary["loans"]!.GetValue<long>(), now["loans"]!.GetValue<long>());
        Assert.Equal(summary["totalBalance"]!.GetValue<decimal>(), now["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(summary["nplBalance"]!.GetValue<decimal>(), now["nplBalance"]!.GetValue<decimal>());
        Assert.Equal(summary["nplRatio"]!.GetValue<decimal>(), now["nplRatio"]!.GetValue<decimal>());
        Assert.Equal(Categories(summary), Categories(now));
        var summaryAgo = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/summary?date=2026-11-15"))!["totals"]!;
        Assert.Equal(summaryAgo["nplRatio"]!.GetValue<decimal>(), weekAgo["nplRatio"]!.GetValue<decimal>());

        // Migration over the week, 11-15 → 11-22. Columns Normal, SM, Substandard, Doubtful, Loss, Gone.
        var migration = report["migration"]!;
        Assert.Equal(["Normal", "SpecialMention", "Substandard", "Doubtful", "Loss", "Gone"], migration["columns"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Equal([1L, 0, 0, 0, 0, 0], Counts(migration, "New"));              // N3
        Assert.Equal([2L, 0, 0, 0, 0, 0], Counts(migration, "Normal"));           // N1, N2
        Assert.Equal([0L, 0, 1, 0, 0, 0], Counts(migration, "SpecialMention"));   // X1
        Assert.Equal([1L, 0, 0, 1, 0, 1], Counts(migration, "Substandard"));      // C1 cured, M1 down, R1 gone
        Assert.Equal([0L, 0, 0, 1, 0, 0], Counts(migration, "Doubtful"));         // D1
        Assert.Equal([0L, 0, 0, 0, 0, 0], Counts(migration, "Loss"));
        Assert.Equal([45_000m, 0, 0, 60_000m, 0, 30_000m], Balances(migration, "Substandard"));

        // New NPLs, cures, recoveries.
        Assert.Equal((1L, 80_000m), Total(report["newNpls"]!));
        Assert.Equal(["X1"], Ids(report["newNpls"]!));
        Assert.Equal("王建国", report["newNpls"]!["largest"]![0]!["borrowerName"]!.GetValue<string>());
        Assert.Equal((1L, 45_000m), Total(report["cures"]!));
        Assert.Equal(["C1"], Ids(report["cures"]!));
        Assert.Equal((2L, 35_000m), Total(report["recoveries"]!));
        Assert.Equal(["R1", "D1"], Ids(report["recoveries"]!));
        Assert.Equal("Gone", report["recoveries"]!["largest"]![0]!["to"]!.GetValue<string>());

        // Branches: B01 140k / 340k = 41.1765 % (a week ago 90k / 370k = 24.3243 %); B02 35k / 330k = 10.6061 % (90k / 240k = 37.5 %).
        var byRatio = report["branchesByRatio"]!.AsArray();
        Assert.Equal(["B01", "B02"], byRatio.Select(b => b!["branch"]!.GetValue<string>()));
        Assert.Equal([0.411765m, 0.106061m], byRatio.Select(b => b!["nplRatio"]!.GetValue<decimal>()));
        Assert.Equal([0.243243m, 0.375m], byRatio.Select(b => b!["nplRatioWeekAgo"]!.GetValue<decimal>()));
        Assert.Equal([0.168522m, -0.268939m], report["branchesByChange"]!.AsArray().Select(b => b!["change"]!.GetValue<decimal>()));
        Assert.Equal("城关信用社 Chengguan Credit Cooperative", byRatio[0]!["name"]!.GetValue<string>());

        // Officers by responsibility (the extract's officer, no workflow record): lo-b01 X1, lo-b01-02 M1, lo-b02 D1.
        Assert.Equal([("lo-b01", 80_000m), ("lo-b01-02", 60_000m), ("lo-b02", 35_000m)],
            report["officers"]!.AsArray().Select(o => (o!["userId"]!.GetValue<string>(), o["nplBalance"]!.GetValue<decimal>())));

        // Litigation due (180+ days, nothing filed): M1 only, since D1's litigation was filed through the PATCH.
        Assert.Equal(["M1"], Ids(report["litigationDue"]!));

        // The week's early warnings as the job sent them (11-15 is last week's).
        Assert.Equal(
            [("2026-11-18", "npl-ratio/B01"), ("2026-11-18", "npl-ratio/B02"), ("2026-11-22", "new-npl/X1"), ("2026-11-22", "npl-ratio/B01"), ("2026-11-22", "npl-ratio/B02")],
            report["warnings"]!.AsArray().Select(w => (w!["on"]!.GetValue<string>(), w["cause"]!.GetValue<string>())));

        // The ledger attachment: exactly the NPL loans of GET /api/npl/loans (same balance, category, name), then the week's cured and gone.
        var rows = LedgerSheet.Rows(await Hq.GetByteArrayAsync("/api/reports/weekly/files/ledger.xlsx?week=2026-W47"));
        Assert.Equal(LedgerFiles.Headers, rows[1]);
        var loans = rows.Skip(2).ToList();
        var api = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/loans"))!["items"]!.AsArray();
        var npl = loans.Where(r => Cell(r, "InNpl") == "yes").ToList();
        Assert.Equal(
            api.Select(l => (l!["loanId"]!.GetValue<string>(), l["branch"]!.GetValue<string>(), l["borrowerName"]!.GetValue<string>(), l["category"]!.GetValue<string>(), l["balance"]!.GetValue<decimal>()))
                .OrderBy(l => l.Item1, StringComparer.Ordinal).ToList(),
            npl.Select(r => (Cell(r, "LoanId"), Cell(r, "Branch"), Cell(r, "BorrowerName"), Cell(r, "Category"), decimal.Parse(Cell(r, "Balance"), CultureInfo.InvariantCulture)))
                .OrderBy(l => l.Item1, StringComparer.Ordinal).ToList());
        Assert.Equal(["X1", "M1", "D1"], npl.Select(r => Cell(r, "LoanId")));   // largest first
        Assert.Equal(("Doubtful", "35000.00", "2026-11-15"), (Cell(npl[2], "Category"), Cell(npl[2], "Balance"), Cell(npl[2], "FirstNplOn")));
        Assert.Equal(("2026-11-22", "Substandard"), (Cell(npl[0], "FirstNplOn"), Cell(npl[0], "Category")));
        Assert.Equal("欧阳秀英", Cell(npl[1], "BorrowerName"));

        // The PATCHed fields show in the report's ledger.
        Assert.Equal(("lo-b02-07", "RecoverableWithEffort", "Filed"), (Cell(npl[2], "CollectionOfficer"), Cell(npl[2], "Recoverability"), Cell(npl[2], "Litigation")));
        Assert.Equal("None", Cell(npl[1], "Litigation"));

        // Then the loans that left NPL in the week: C1 cured, R1 repaid. Q1 left on 11-15, last week: the job keeps its row, the report does not.
        var q1 = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/loans/Q1"))!["loan"]!;
        Assert.Equal(("2026-11-15", true), (q1["curedOn"]!.GetValue<string>(), q1["leftBook"]!.GetValue<bool>()));
        var left = loans.Where(r => Cell(r, "InNpl") == "no").ToList();
        Assert.Equal([("C1", "2026-11-22", "no"), ("R1", "2026-11-18", "yes")], left.Select(r => (Cell(r, "LoanId"), Cell(r, "CuredOn"), Cell(r, "LeftBook"))));
        var curedToday = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/loans?flag=cured"))!["items"]!.AsArray();
        Assert.Equal(["C1"], curedToday.Select(l => l!["loanId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task The_report_reads_the_ledger_the_daily_job_exported_and_reads_again_only_the_rows_people_changed_since()
    {
        await RunTheJobAsync();
        var run = (await Npl.RunAsync(W47End))!;
        var export = run.LedgerExport!;
        Assert.Equal(["B01", "B02"], export.Branches);
        Assert.Equal(W47End.AddDays(-Features.Npl.NplLedgerExport.CuredDays), export.CuredSince);

        // The export is the ledger table's loan rows, those in NPL or out of it since CuredSince (Q1 left on 11-15: still in).
        foreach (var branch in export.Branches)
        {
            var exported = await ExportedAsync(branch);
            var table = new List<Domain.Reports.LedgerLine>();
            await foreach (var row in Npl.Storage.Ledger.QueryAsync<Azure.Data.Tables.TableEntity>(r => r.PartitionKey == branch))
            {
                if (row.RowKey.StartsWith(Features.Npl.NplLedgerRows.LoanPrefix, StringComparison.Ordinal))
                {
                    table.Add(Features.Npl.NplLedgerRows.Line(row));
                }
            }

            Assert.Equal(Json(table.Where(l => l.InNpl || l.CuredOn >= export.CuredSince)), Json(exported));
        }

        Assert.Equal(["M1", "Q1", "R1", "X1"], (await ExportedAsync("B01")).Select(l => l.LoanId).Order(StringComparer.Ordinal));
        Assert.Equal(["C1", "D1"], (await ExportedAsync("B02")).Select(l => l.LoanId).Order(StringComparer.Ordinal));

        // A change behind the app's back (no edit mark) is not seen: the report reads the export, not the table.
        await Npl.Storage.Ledger.UpdateEntityAsync(
            new Azure.Data.Tables.TableEntity("B02", "l|D1") { ["BorrowerName"] = "改过的名字" }, Azure.ETag.All, Azure.Data.Tables.TableUpdateMode.Merge);
        // A RiskManager's change through the API is marked, and the report reads that row again.
        var patch = await Hq.PatchAsJsonAsync("/api/npl/loans/M1", new { collectionOfficerId = "lo-b01-09", litigation = "Filed" });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var history = App.Services.GetRequiredService<INplHistory>();
        var week = Domain.Reports.ReportWeek.Of(W47End);
        var ledgers = await history.LedgersAsync(["B01", "B02", "B03"], week.Monday, CancellationToken.None);
        Assert.Equal(["M1", "R1", "X1"], ledgers["B01"].Select(l => l.LoanId).Order(StringComparer.Ordinal)); // Q1 left before the week
        Assert.Equal(("lo-b01-09", Domain.Npl.LitigationStatus.Filed), ledgers["B01"].Where(l => l.LoanId == "M1").Select(l => (l.CollectionOfficerId, l.Litigation)).Single());
        Assert.Equal("赵磊", ledgers["B02"].Single(l => l.LoanId == "D1").BorrowerName);
        Assert.Empty(ledgers["B03"]); // a branch the export does not have is read from the table: it has no ledger rows

        // A week that began before the export's CuredSince, or a latest run without an export, is read from the table.
        var old = await history.LedgersAsync(["B02"], export.CuredSince.AddDays(-1), CancellationToken.None);
        Assert.Equal("改过的名字", old["B02"].Single(l => l.LoanId == "D1").BorrowerName);
        // A run's export blob that is gone (deleted by hand, a lifecycle rule) is read from the table too, not a failure.
        await Npl.Storage.Data.DeleteBlobAsync(Features.Npl.NplStorage.LedgerExportBlob(W47End, "B02"));
        var blobGone = await history.LedgersAsync(["B01", "B02"], week.Monday, CancellationToken.None);
        Assert.Equal("改过的名字", blobGone["B02"].Single(l => l.LoanId == "D1").BorrowerName);
        Assert.Equal(Json(ledgers["B01"]), Json(blobGone["B01"]));
        await App.Services.GetRequiredService<Features.Npl.NplRuns>().SaveAsync(run with { LedgerExport = null }, CancellationToken.None);
        var unexported = await history.LedgersAsync(["B01", "B02"], week.Monday, CancellationToken.None);
        Assert.Equal("改过的名字", unexported["B02"].Single(l => l.LoanId == "D1").BorrowerName);
        Assert.Equal(Json(ledgers["B01"].OrderBy(l => l.LoanId, StringComparer.Ordinal)), Json(unexported["B01"].OrderBy(l => l.LoanId, StringComparer.Ordinal)));
    }

    private async Task<List<Domain.Reports.LedgerLine>> ExportedAsync(string branch)
    {
        var blob = Npl.Storage.Data.GetBlobClient(Features.Npl.NplStorage.LedgerExportBlob(W47End, branch));
        await using var gzip = new System.IO.Compression.GZipStream(await blob.OpenReadAsync(), System.IO.Compression.CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        await gzip.CopyToAsync(bytes);
        bytes.Position = 0;
        return Domain.Reports.LedgerLineCodec.Read(bytes);
    }

    private static List<string> Json(IEnumerable<Domain.Reports.LedgerLine> lines) =>
        [.. lines.OrderBy(l => l.LoanId, StringComparer.Ordinal).Select(l => System.Text.Json.JsonSerializer.Serialize(l))];

    [Fact]
    public async Task A_branch_directors_report_of_W47_has_the_branch_figures_and_only_its_ledger()
    {
        await RunTheJobAsync();

        var built = await DirectorB02.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W47" });
        Assert.Equal(HttpStatusCode.Created, built.StatusCode);
        var report = JsonNode.Parse(await DirectorB02.GetStringAsync("/api/reports/weekly?week=2026-W47"))!["report"]!;
        Assert.Equal("B02", report["scope"]!.GetValue<string>());
        Assert.Equal(330_000m, report["now"]!["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(0.106061m, report["now"]!["nplRatio"]!.GetValue<decimal>());
        Assert.Equal(0.375m, report["weekAgo"]!["nplRatio"]!.GetValue<decimal>());

        var summary = (await DirectorB02.GetFromJsonAsync<JsonObject>("/api/npl/summary?date=2026-11-22&branch=B02"))!["totals"]!;
        Assert.Equal(summary["nplBalance"]!.GetValue<decimal>(), report["now"]!["nplBalance"]!.GetValue<decimal>());
        Assert.Equal(summary["nplRatio"]!.GetValue<decimal>(), report["now"]!["nplRatio"]!.GetValue<decimal>());

        Assert.Equal([1L, 0, 0, 0, 0, 0], Counts(report["migration"]!, "New"));
        Assert.Equal([1L, 0, 0, 0, 0, 0], Counts(report["migration"]!, "Substandard"));
        Assert.Equal((0L, 0m), Total(report["newNpls"]!));
        Assert.Equal(["C1"], Ids(report["cures"]!));
        Assert.Equal(["D1"], Ids(report["recoveries"]!));
        Assert.Equal(["B02"], report["branchesByRatio"]!.AsArray().Select(b => b!["branch"]!.GetValue<string>()));

        var rows = LedgerSheet.Rows(await DirectorB02.GetByteArrayAsync("/api/reports/weekly/files/ledger.xlsx?week=2026-W47")).Skip(2).ToList();
        Assert.Equal([("D1", "yes"), ("C1", "no")], rows.Select(r => (Cell(r, "LoanId"), Cell(r, "InNpl"))));
        var api = (await DirectorB02.GetFromJsonAsync<JsonObject>("/api/npl/loans"))!["items"]!.AsArray();
        Assert.Equal(["D1"], api.Select(l => l!["loanId"]!.GetValue<string>()));
    }

    [Fact]
    public async Task A_day_run_again_with_a_corrected_extract_counts_once_in_the_report()
    {
        // B02 also holds 97 small normal loans (3 + 97 = 100 loans fit one shard, 101 need two).
        var small = Enumerable.Range(1, 97).Select(i => new Row($"S{i:000}", "B02", "lo-b02", "小额" + i, 1_000m)).ToArray();
        await Npl.UploadAsync(W46End, Extract([N1, X1At15, M1, R1, N2, C1, D1, .. small]));
        await Npl.RunDayAsync(W46End);

        // Core banking first sends 11-22 without N3 (B02: 100 loans, one shard) and with a loan of B03 that is not in the
        // book, then the corrected file (B02: 101 loans, two shards; no B03), and the day is run again as README says.
        var wrong = BookOfW47End.Where(r => r.Id != "N3").Append(new Row("Z9", "B03", "lo-b03", "周杰", 500_000m)).Concat(small).ToArray();
        await Npl.UploadAsync(W47End, Extract(wrong));
        await Npl.RunDayAsync(W47End);
        Assert.Equal(1, (await Npl.RunAsync(W47End))!.Branches["B02"]);
        await Npl.UploadAsync(W47End, Extract([.. BookOfW47End, .. small]));
        await Npl.RunDayAsync(W47End);
        Assert.Equal(2, (await Npl.RunAsync(W47End))!.Branches["B02"]);

        // The job's summary of the day is the corrected one: 670k + 97k, NPL 175k.
        var summary = (await Hq.GetFromJsonAsync<JsonObject>("/api/npl/summary?date=2026-11-22"))!;
        Assert.Equal(767_000m, summary["totals"]!["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(["B01", "B02"], summary["branches"]!.AsArray().Select(b => b!["scope"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        var built = await Hq.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W47" });
        Assert.Equal(HttpStatusCode.Created, built.StatusCode);
        var report = JsonNode.Parse(await built.Content.ReadAsStringAsync())!["report"]!;
        Assert.Equal(767_000m, report["now"]!["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(summary["totals"]!["nplRatio"]!.GetValue<decimal>(), report["now"]!["nplRatio"]!.GetValue<decimal>());
        Assert.Equal(["B01", "B02"], report["branchesByRatio"]!.AsArray().Select(b => b!["branch"]!.GetValue<string>()));
        var migration = report["migration"]!;
        Assert.Equal([1L, 0, 0, 0, 0, 0], Counts(migration, "New"));            // N3 once; no Z9
        Assert.Equal([99L, 0, 0, 0, 0, 0], Counts(migration, "Normal"));        // N1, N2 and the 97 small loans, each once
        Assert.Equal([0L, 0, 1, 0, 0, 0], Counts(migration, "SpecialMention"));
        Assert.Equal([1L, 0, 0, 1, 0, 1], Counts(migration, "Substandard"));
        Assert.Equal([0L, 0, 0, 1, 0, 0], Counts(migration, "Doubtful"));
        Assert.Equal(["C1"], Ids(report["cures"]!));
        Assert.Equal((2L, 35_000m), Total(report["recoveries"]!));
    }

    private static string Cell(string[] row, string header) => row[Array.IndexOf(LedgerFiles.Headers, header)] ?? string.Empty;

    private static List<(string, long, decimal)> Categories(JsonNode position) =>
        [.. position["categories"]!.AsArray().Select(c => (c!["category"]!.GetValue<string>(), c["count"]!.GetValue<long>(), c["balance"]!.GetValue<decimal>()))];

    private static JsonNode MigrationRow(JsonNode migration, string from) => migration["rows"]!.AsArray().Single(r => r!["from"]!.GetValue<string>() == from)!;

    private static List<long> Counts(JsonNode migration, string from) => [.. MigrationRow(migration, from)["counts"]!.AsArray().Select(c => c!.GetValue<long>())];

    private static List<decimal> Balances(JsonNode migration, string from) => [.. MigrationRow(migration, from)["balances"]!.AsArray().Select(c => c!.GetValue<decimal>())];

    private static (long, decimal) Total(JsonNode list) => (list["count"]!.GetValue<long>(), list["total"]!.GetValue<decimal>());

    private static List<string> Ids(JsonNode list) => [.. list["largest"]!.AsArray().Select(l => l!["loanId"]!.GetValue<string>())];
}
