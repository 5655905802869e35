using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>The daily job on Azurite: fan-out, diff, rejects, the reject-the-day threshold, missing extracts, re-runs.</summary>
public class NplDailyJobTests() : AppTestBase(new TestApp(settings: NplHarness.Settings(shardSize: 400, extra: new Dictionary<string, string?>
{
    ["Npl:BranchNplRatio"] = "0.01",
    ["Npl:NewNplAmount"] = "100000",
})))
{
    private static readonly DateOnly Day1 = new(2026, 11, 21);
    private static readonly DateOnly Day2 = new(2026, 11, 22);
    private static readonly GeneratorOptions Book = new(3000, Day1, Branches: 3, OfficersPerBranch: 4);

    private NplHarness Npl => field ??= new NplHarness(App);

    private HttpClient Hq => field ??= App.CreateClient().As(App, "risk-hq", "HQ", Role.RiskManager);

    [Fact]
    public async Task Two_days_fan_out_over_shards_and_sum_to_the_same_totals_as_one_pass()
    {
        var day1Loans = ExtractGenerator.Generate(Book).ToList();
        await Npl.UploadAsync(Day1, day1Loans);
        var logs = await Npl.RunDayAsync(Day1);
        Assert.Contains(logs, l => l.Contains("Day complete", StringComparison.Ordinal));
        var run1 = await Npl.RunAsync(Day1);
        Assert.Equal(RunStatus.Complete, run1!.Status);
        Assert.True(run1.ShardCount > 3, $"a branch above the shard size is split ({run1.ShardCount} shards)");

        var day2Loans = ExtractGenerator.NextDay(day1Loans, Book, Day2).ToList();
        await Npl.UploadAsync(Day2, day2Loans, gzip: true);
        await Npl.RunDayAsync(Day2);
        Assert.Equal(Day1, (await Npl.RunAsync(Day2))!.Baseline);

        // One pass over the whole book, in the domain, gives the same totals as the shards did.
        var onePass1 = DailyClassification.Run(Day1, "all", ClassificationPolicy.Default, day1Loans, null, new Dictionary<string, LoanOverride>(),
            l => LendingResponsibility.ExtractOfficer(l.OfficerId));
        var onePass2 = DailyClassification.Run(Day2, "all", ClassificationPolicy.Default, day2Loans, onePass1.Snapshot.ToDictionary(s => s.LoanId),
            new Dictionary<string, LoanOverride>(), l => LendingResponsibility.ExtractOfficer(l.OfficerId)).Aggregate.Totals;
        var summary = await Hq.GetFromJsonAsync<JsonObject>($"/api/npl/summary?date={Day2:yyyy-MM-dd}");
        var totals = summary!["totals"]!;
        Assert.Equal(onePass2.TotalCount, totals["loans"]!.GetValue<long>());
        Assert.Equal(onePass2.NplBalanceFen / 100m, totals["nplBalance"]!.GetValue<decimal>());
        Assert.Equal(onePass2.NewNplCount, totals["newNplCount"]!.GetValue<long>());
        Assert.Equal(onePass2.CuredCount, totals["curedCount"]!.GetValue<long>());
        var migrations = totals["migrations"]!.AsArray();
        Assert.Equal(onePass2.Migrations.Count, migrations.Count);
        Assert.Contains(migrations, m => m!["from"]!.GetValue<string>() == "New");
        Assert.Equal(3, summary["branches"]!.AsArray().Count);
        Assert.Equal(12, summary["officers"]!.AsArray().Count);

        // The ledger holds exactly the day's NPL loans; today's new NPLs carry the flag.
        var b01 = await AllAsync(Hq, "/api/npl/loans?branch=B01");
        var b01Summary = summary["branches"]!.AsArray().Single(b => b!["scope"]!.GetValue<string>() == "B01")!;
        Assert.Equal(b01Summary["nplBalance"]!.GetValue<decimal>(), b01.Sum(l => l["balance"]!.GetValue<decimal>()));
        Assert.All(b01, l => Assert.True(l["inNpl"]!.GetValue<bool>()));
        var fresh = await AllAsync(Hq, "/api/npl/loans?flag=newNpl");
        Assert.Equal(onePass2.NewNplCount, fresh.Count);
        Assert.All(fresh, l => Assert.Equal(Day2.ToString("yyyy-MM-dd"), l["firstNplOn"]!.GetValue<string>()));
        Assert.Equal(onePass2.CuredCount, (await AllAsync(Hq, "/api/npl/loans?flag=cured")).Count);
        var litigation = await AllAsync(Hq, "/api/npl/loans?flag=litigationDue&branch=B02");
        Assert.NotEmpty(litigation);
        Assert.All(litigation, l => Assert.True(l["daysOverdue"]!.GetValue<int>() >= 180));
    }

    [Fact]
    public async Task Re_running_a_day_gives_the_same_state_and_no_second_alert()
    {
        var loans = ExtractGenerator.Generate(Book with { Seed = 7 }).ToList();
        await Npl.UploadAsync(Day1, loans);
        var first = await Npl.RunDayAsync(Day1);
        var before = await SnapshotStateAsync();
        var alertsBefore = await RowsAsync(Npl.Storage.Alerts, NplStorage.Day(Day1));
        Assert.Contains(alertsBefore, a => a.RowKey.StartsWith("npl-ratio|", StringComparison.Ordinal));
        Assert.Contains(first, l => l.Contains("Day complete", StringComparison.Ordinal) && !l.Contains(" 0 warning(s) sent", StringComparison.Ordinal));

        var second = await Npl.RunDayAsync(Day1);
        Assert.Contains(second, l => l.Contains(" 0 warning(s) sent", StringComparison.Ordinal));
        Assert.Equal(before, await SnapshotStateAsync());
        var alertsAfter = await RowsAsync(Npl.Storage.Alerts, NplStorage.Day(Day1));
        Assert.Equal(alertsBefore.Select(a => (a.RowKey, a.GetDateTimeOffset("SentAt"))), alertsAfter.Select(a => (a.RowKey, a.GetDateTimeOffset("SentAt"))));
    }

    [Fact]
    public async Task Malformed_rows_go_to_the_rejects_file_and_the_valid_rows_are_processed()
    {
        var loans = ExtractGenerator.Generate(Book with { Loans = 200, Seed = 11 }).ToList();
        var csv = new MemoryStream();
        ExtractWriter.Write(csv, loans);
        var text = Encoding.UTF8.GetString(csv.ToArray()).TrimEnd() + "\r\n" +
            "BAD1,B01,lo-1,C1,张三,,FMC,credit,100,-5,2025-01-01,2027-01-01,,,0,0,false,false\r\n" +
            "BAD2,B01,lo-1,C1,张三,,FMC,credit,100,5\r\n" +
            $"{loans[0].LoanId},B01,lo-1,C1,张三,,FMC,credit,100,5,2025-01-01,2027-01-01,,,0,0,false,false\r\n";
        await Npl.UploadAsync(Day1, Encoding.UTF8.GetBytes(text));
        await Npl.RunDayAsync(Day1);

        var run = await Npl.RunAsync(Day1);
        Assert.Equal(RunStatus.Complete, run!.Status);
        Assert.Equal(203, run.Rows);
        Assert.Equal(3, run.Rejected);
        var rejects = (await Npl.Storage.Extracts.GetBlobClient(NplDayPreparer.RejectsName(Day1)).DownloadContentAsync()).Value.Content.ToString();
        var lines = rejects.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("row,loan_id,reason", lines[0]);
        Assert.Equal("202,BAD1,balance is negative", lines[1]);
        Assert.StartsWith("203,,has 10 fields", lines[2], StringComparison.Ordinal);
        Assert.StartsWith($"204,{loans[0].LoanId},duplicate loan_id", lines[3], StringComparison.Ordinal);
        var summary = await Hq.GetFromJsonAsync<JsonObject>($"/api/npl/summary?date={Day1:yyyy-MM-dd}");
        Assert.Equal(200, summary!["totals"]!["loans"]!.GetValue<long>());
    }

    [Fact]
    public async Task Too_many_bad_rows_reject_the_whole_day_and_nothing_is_applied()
    {
        var loans = ExtractGenerator.Generate(Book with { Loans = 100, Seed = 12 }).ToList();
        var csv = new MemoryStream();
        ExtractWriter.Write(csv, loans);
        var bad = string.Concat(Enumerable.Range(0, 6).Select(n => $"X{n},B01,lo-1,C1,张三,,FMC,unsecured,100,5,2025-01-01,2027-01-01,,,0,0,false,false\r\n"));
        await Npl.UploadAsync(Day1, Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(csv.ToArray()) + bad)); // 6 of 106 > 5%
        await Npl.RunDayAsync(Day1);

        var run = await Npl.RunAsync(Day1);
        Assert.Equal(RunStatus.Rejected, run!.Status);
        Assert.Contains("6 of 106 rows", run.Problem, StringComparison.Ordinal);
        Assert.Equal(0, await Npl.QueuedAsync(Npl.Storage.ShardQueue));
        Assert.Empty(await RowsAsync(Npl.Storage.Ledger, "B01"));
        Assert.Empty(await RowsAsync(Npl.Storage.Summaries, NplStorage.Day(Day1)));
        Assert.Single(await RowsAsync(Npl.Storage.Alerts, NplStorage.Day(Day1)), a => a.RowKey == "day-rejected");
        var status = await Hq.GetFromJsonAsync<JsonObject>($"/api/npl/runs/{Day1:yyyy-MM-dd}");
        Assert.Equal("Rejected", status!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_missing_extract_is_reported_once_retried_later_the_same_day_then_given_up()
    {
        var first = await Npl.InvokeAsync("NplPrepareDay", new DayMessage(Day1, 1, DateTimeOffset.UtcNow.AddHours(3)));
        Assert.Contains("missing at attempt 1", first, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Missing, (await Npl.RunAsync(Day1))!.Status);
        Assert.Equal(1, await Npl.QueuedAsync(Npl.Storage.DayQueue)); // the retry, invisible for an hour
        await Npl.InvokeAsync("NplPrepareDay", new DayMessage(Day1, 2, DateTimeOffset.UtcNow.AddHours(3)));
        var alerts = await RowsAsync(Npl.Storage.Alerts, NplStorage.Day(Day1));
        Assert.Equal(["extract-missing"], alerts.Select(a => a.RowKey));

        var last = await Npl.InvokeAsync("NplPrepareDay", new DayMessage(Day1, 3, DateTimeOffset.UtcNow.AddMinutes(30)));
        Assert.Contains("still missing after 3 attempt(s)", last, StringComparison.Ordinal);
        Assert.Equal(RunStatus.GaveUp, (await Npl.RunAsync(Day1))!.Status);
        Assert.Equal(2, await Npl.QueuedAsync(Npl.Storage.DayQueue)); // no third retry queued

        // The file arrives late; a run then completes the day.
        await Npl.UploadAsync(Day1, ExtractGenerator.Generate(Book with { Loans = 50 }));
        await Npl.RunDayAsync(Day1);
        Assert.Equal(RunStatus.Complete, (await Npl.RunAsync(Day1))!.Status);
    }

    [Fact]
    public async Task The_timer_queues_yesterdays_extract_for_the_business_date()
    {
        await App.RunTimerAsync("NplDailyMonitor");
        var message = (await Npl.Storage.DayQueue.ReceiveMessageAsync()).Value;
        var day = System.Text.Json.JsonSerializer.Deserialize<DayMessage>(message.Body.ToString(), NplRuns.Json)!;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).DateTime);
        Assert.Equal(today.AddDays(-1), day.Date);
        Assert.Equal(1, day.Attempt);
    }

    private async Task<string> SnapshotStateAsync()
    {
        var ledger = (await RowsAsync(Npl.Storage.Ledger, "B01")).Concat(await RowsAsync(Npl.Storage.Ledger, "B02"))
            .Select(r => string.Join(";", r.Where(p => p.Key is not ("odata.etag" or "Timestamp")).OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
        var summary = (await RowsAsync(Npl.Storage.Summaries, NplStorage.Day(Day1))).Select(r => $"{r.RowKey}:{r.GetString("Totals")}");
        return string.Join("\n", ledger.Concat(summary));
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table, string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }

        return rows;
    }

    public static async Task<List<JsonObject>> AllAsync(HttpClient client, string path)
    {
        var items = new List<JsonObject>();
        string? continuation = null;
        do
        {
            var page = await client.GetFromJsonAsync<JsonObject>(path + (path.Contains('?') ? "&" : "?") + "pageSize=200" + (continuation is null ? string.Empty : $"&continuation={continuation}"));
            items.AddRange(page!["items"]!.AsArray().Select(i => i!.AsObject()));
            continuation = page["continuation"]?.GetValue<string>();
        }
        while (continuation is not null);
        return items;
    }
}
