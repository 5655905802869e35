using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Common;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The weekly report over storage laid out as the daily NPL job (issue 6) writes it: complete runs, summaries, snapshots,
/// ledger and alerts for the ends of 2026-W46 and W47, in tables and containers of this test's own; the clock is Monday 2026-11-23.
/// </summary>
public sealed class WeeklyReportApiTests : AppTestBase
{
    private static readonly DateOnly W46End = new(2026, 11, 15);
    private static readonly DateOnly W47End = new(2026, 11, 22);
    private readonly string _id;

    public WeeklyReportApiTests()
        : base(new TestApp(settings: Settings(out var id)))
    {
        _id = id;
        App.WithServices(s => s.AddHttpClient(nameof(Features.Notifications.MailSender)).AddHttpMessageHandler(() => new ScriptedSendGrid(_script)));
        App.WithServices(s => s.AddSingleton(new BusinessClock(new ManualTime(new DateTimeOffset(2026, 11, 23, 1, 0, 0, TimeSpan.Zero)), TimeZoneInfo.Utc)));
    }

    private static Dictionary<string, string?> Settings(out string id)
    {
        id = Guid.NewGuid().ToString("N")[..10];
        return new()
        {
            ["Npl:TablePrefix"] = $"T{id}",
            ["Npl:DataContainer"] = $"npl-{id}",
            ["Reports:Container"] = $"reports-{id}",
            ["Reports:RecipientsTable"] = $"R{id}",
            ["Mail:MaxAttempts"] = "3",
            ["Mail:RetryBaseDelay"] = "00:00:05",
            ["Mail:RetryMaxDelay"] = "00:00:10",
        };
    }

    private HttpClient Hq => App.CreateClient().As(App, "risk-hq", "HQ", Role.RiskManager);

    private HttpClient DirectorB01 => App.CreateClient().As(App, "dir-b01", "B01", Role.BranchDirector);

    private HttpClient Admin => App.CreateClient().As(App, "admin-1", "HQ", Role.HqAdmin);

    private static LoanSnapshot Snap(string id, LoanCategory category, long yuan, string name = "张三") =>
        new(id, "lo-b01-01", "C-" + id, name, string.Empty, "FMC", GuaranteeType.Credit, yuan * 100, 0, null, 0, false, category, category, null);

    private async Task SeedAsync()
    {
        var tables = App.Services.GetRequiredService<TableServiceClient>();
        var blobs = App.Services.GetRequiredService<BlobServiceClient>();
        var summaries = tables.GetTableClient($"T{_id}Summaries");
        var ledger = tables.GetTableClient($"T{_id}Ledger");
        var alerts = tables.GetTableClient($"T{_id}Alerts");
        var runs = tables.GetTableClient($"T{_id}Runs");
        await Task.WhenAll(summaries.CreateIfNotExistsAsync(), ledger.CreateIfNotExistsAsync(), alerts.CreateIfNotExistsAsync(), runs.CreateIfNotExistsAsync());
        var data = blobs.GetBlobContainerClient($"npl-{_id}");
        await data.CreateIfNotExistsAsync();

        // B01: W46 {A Normal 100k, B SpecialMention 50k, C Substandard 30k}; W47 {A Normal 100k, B Substandard 50k, D Normal 20k} (C repaid).
        // B02: W46 and W47 {E Doubtful 10k, F Normal 90k}.
        var days = new Dictionary<DateOnly, Dictionary<string, LoanSnapshot[]>>
        {
            [W46End] = new() { ["B01"] = [Snap("A", LoanCategory.Normal, 100_000), Snap("B", LoanCategory.SpecialMention, 50_000), Snap("C", LoanCategory.Substandard, 30_000)],
                               ["B02"] = [Snap("E", LoanCategory.Doubtful, 10_000, "欧阳春生"), Snap("F", LoanCategory.Normal, 90_000)] },
            [W47End] = new() { ["B01"] = [Snap("A", LoanCategory.Normal, 100_000), Snap("B", LoanCategory.Substandard, 50_000, "李秀英"), Snap("D", LoanCategory.Normal, 20_000)],
                               ["B02"] = [Snap("E", LoanCategory.Doubtful, 10_000, "欧阳春生"), Snap("F", LoanCategory.Normal, 90_000)] },
        };
        foreach (var (day, branches) in days)
        {
            var union = new DayTotals();
            var key = day.ToString("yyyy-MM-dd");
            foreach (var (branch, loans) in branches)
            {
                var totals = new DayTotals();
                foreach (var loan in loans)
                {
                    totals.Add(loan.Category, loan.BalanceFen, 0);
                }

                union.Merge(totals);
                await summaries.UpsertEntityAsync(new TableEntity(key, $"branch|{branch}") { ["Branch"] = branch, ["Totals"] = JsonSerializer.Serialize(totals, TableNplHistory.Json) });
                using var buffer = new MemoryStream();
                using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
                using (var writer = new BinaryWriter(gzip))
                {
                    LoanCodec.WriteHeader(writer, snapshot: true);
                    foreach (var loan in loans)
                    {
                        LoanCodec.Write(writer, loan);
                    }

                    LoanCodec.WriteEnd(writer);
                }

                await data.UploadBlobAsync($"days/{key}/snapshots/{branch}/0-of-1.bin.gz", BinaryData.FromBytes(buffer.ToArray()));
            }

            await summaries.UpsertEntityAsync(new TableEntity(key, "union") { ["Totals"] = JsonSerializer.Serialize(union, TableNplHistory.Json) });
            var run = new { date = key, status = "Complete", branches = branches.Keys.ToDictionary(b => b, _ => 1) };
            await runs.UpsertEntityAsync(new TableEntity(key, "run") { ["Status"] = "Complete", ["Doc"] = JsonSerializer.Serialize(run, TableNplHistory.Json) });
        }

        await ledger.UpsertEntityAsync(LedgerRow("B01", "B", "李秀英", 50_000, "Substandard", inNpl: true));
        await ledger.UpsertEntityAsync(LedgerRow("B01", "C", "张三", 30_000, "Substandard", inNpl: false));
        await ledger.UpsertEntityAsync(LedgerRow("B02", "E", "欧阳春生", 10_000, "Doubtful", inNpl: true));
        await alerts.UpsertEntityAsync(new TableEntity("2026-11-18", "npl-ratio|B01")
        {
            ["Cause"] = "npl-ratio/B01", ["Subject"] = "不良贷款预警 NPL ratio of B01", ["Recipients"] = "BranchDirector@B01,RiskManager@HQ", ["Sent"] = true,
        });
    }

    private static TableEntity LedgerRow(string branch, string loan, string name, long yuan, string category, bool inNpl) => new(branch, "l|" + loan)
    {
        ["LoanId"] = loan, ["Branch"] = branch, ["OfficerId"] = $"lo-{branch.ToLowerInvariant()}-01", ["BorrowerId"] = "C-" + loan, ["BorrowerName"] = name,
        ["Product"] = "FMC", ["GuaranteeType"] = "Credit", ["BalanceFen"] = yuan * 100, ["OverdueAmountFen"] = 0L, ["OverdueSince"] = "2026-05-01",
        ["Category"] = category, ["RuleCategory"] = category, ["InNpl"] = inNpl, ["FirstNplOn"] = "2026-11-20", ["CuredOn"] = inNpl ? "" : "2026-11-22",
        ["LendingResponsible"] = """[{"userId":"lo-x","name":"王小明","duty":"Investigation","sharePercent":100}]""",
    };

    [Fact]
    public async Task Union_report_has_the_hand_checked_numbers_and_its_files_are_readable_through_the_API()
    {
        await SeedAsync();
        var response = await Hq.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W47" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var built = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(built["final"]!.GetValue<bool>());

        var report = JsonNode.Parse(await Hq.GetStringAsync("/api/reports/weekly?week=2026-W47"))!["report"]!;
        // W47: total 100k + 50k + 20k + 10k + 90k = 270k, NPL 50k + 10k = 60k; W46: 280k, NPL 30k + 10k = 40k.
        Assert.Equal(270_000m, report["now"]!["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(0.222222m, report["now"]!["nplRatio"]!.GetValue<decimal>());
        Assert.Equal(0.142857m, report["weekAgo"]!["nplRatio"]!.GetValue<decimal>());
        Assert.Equal("B", report["newNpls"]!["largest"]![0]!["loanId"]!.GetValue<string>());
        Assert.Equal(30_000m, report["recoveries"]!["total"]!.GetValue<decimal>());
        var normalRow = report["migration"]!["rows"]!.AsArray().Single(r => r!["from"]!.GetValue<string>() == "Normal")!;
        Assert.Equal([2L, 0, 0, 0, 0, 0], normalRow["counts"]!.AsArray().Select(c => c!.GetValue<long>()));
        Assert.Equal("npl-ratio/B01", report["warnings"]![0]!["cause"]!.GetValue<string>());

        var png = await Hq.GetByteArrayAsync("/api/reports/weekly/files/trend.png?week=2026-W47");
        Assert.Equal([0x89, 0x50, 0x4E, 0x47], png[..4]);
        Assert.True(png.Length > 10_000, $"the trend chart is only {png.Length} bytes");
        Assert.Equal((ReportChart.Width, ReportChart.Height), PngSize(png));

        var xlsx = await Hq.GetByteArrayAsync("/api/reports/weekly/files/ledger.xlsx?week=2026-W47");
        var rows = SheetRows(xlsx);
        Assert.Equal(LedgerFiles.Headers, rows[1]);
        Assert.Equal(["B", "E", "C"], rows.Skip(2).Select(r => r[1]));                // NPL largest first, then the cured
        Assert.Equal("李秀英", rows[2][3]);
        Assert.Equal("50000.00", rows[2][9]);
        var csv = Encoding.UTF8.GetString(await Hq.GetByteArrayAsync("/api/reports/weekly/files/ledger.csv?week=2026-W47"));
        Assert.Contains("B01,B,C-B,李秀英", csv);
        var html = await Hq.GetStringAsync("/api/reports/weekly/files/report.html?week=2026-W47");
        Assert.Contains("城关信用社", html);
    }

    [Fact]
    public void The_chart_font_has_Chinese_glyphs_and_a_Chinese_label_is_drawn_in_it()
    {
        var font = App.Services.GetRequiredService<ChartFont>();
        Assert.True(font.HasCjk, "no CJK font found: install fonts-wqy-microhei (scripts do) or set Reports__ChartFontFile");
        Assert.True(ChartFont.Covers(font.Typeface!, "城关信用社欧阳春生不良贷款率"));
        using var latin = SkiaSharp.SKTypeface.FromFamilyName("DejaVu Sans") ?? SkiaSharp.SKTypeface.Default;
        Assert.False(ChartFont.Covers(latin, "城关信用社"), "the glyph check must fail for a font without Chinese");
    }

    [Fact]
    public async Task A_branch_director_sees_only_the_branch()
    {
        await SeedAsync();
        var own = await DirectorB01.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W47" });
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        var report = JsonNode.Parse(await own.Content.ReadAsStringAsync())!["report"]!;
        Assert.Equal("B01", report["scope"]!.GetValue<string>());
        Assert.Equal(170_000m, report["now"]!["totalBalance"]!.GetValue<decimal>());
        Assert.Equal(["B01"], report["branchesByRatio"]!.AsArray().Select(b => b!["branch"]!.GetValue<string>()));
        var xlsx = await DirectorB01.GetByteArrayAsync("/api/reports/weekly/files/ledger.xlsx?week=2026-W47");
        Assert.DoesNotContain(SheetRows(xlsx).Skip(2), r => r[0] != "B01");

        await ProblemAsync(await DirectorB01.GetAsync("/api/reports/weekly?week=2026-W47&branch=B02"), HttpStatusCode.Forbidden);
        await ProblemAsync(await DirectorB01.GetAsync("/api/reports/weekly?week=2026-W47&branch=union"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Bad_input_future_week_unknown_branch_no_data_and_invalid_addresses()
    {
        var future = await ProblemAsync(await Hq.GetAsync("/api/reports/weekly?week=2026-W49"), HttpStatusCode.BadRequest);
        Assert.Contains("week", future["detail"]!.GetValue<string>());
        await ProblemAsync(await Hq.GetAsync("/api/reports/weekly?week=2026W47"), HttpStatusCode.BadRequest);
        await ProblemAsync(await Hq.GetAsync("/api/reports/weekly?week=2026-W47&branch=B99"), HttpStatusCode.NotFound);

        var empty = await Hq.PostAsJsonAsync("/api/reports/weekly", new { week = "2026-W40" });  // nothing seeded: no data
        Assert.Equal(HttpStatusCode.Created, empty.StatusCode);
        var report = JsonNode.Parse(await empty.Content.ReadAsStringAsync())!["report"]!;
        Assert.False(report["hasData"]!.GetValue<bool>());
        Assert.Contains("nothing to report", report["notes"]![0]!.GetValue<string>());

        var bad = await ProblemAsync(await Admin.PutAsJsonAsync("/api/reports/recipients/not-an-address", new { role = "RiskManager" }), HttpStatusCode.BadRequest);
        Assert.Contains("email", bad["detail"]!.GetValue<string>());
        await ProblemAsync(await Admin.PutAsJsonAsync("/api/reports/recipients/d@example.org", new { role = "BranchDirector" }), HttpStatusCode.BadRequest);
        await ProblemAsync(await Admin.PutAsJsonAsync("/api/reports/recipients/d@example.org", new { role = "BranchDirector", scope = "B99" }), HttpStatusCode.BadRequest);
        await ProblemAsync(await Hq.PutAsJsonAsync("/api/reports/recipients/d@example.org", new { role = "RiskManager" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task The_timer_firing_twice_and_a_message_delivered_twice_send_one_mail_per_recipient()
    {
        await SeedAsync();
        var hq = $"risk-{_id}@example.org";
        var director = $"dir-{_id}@example.org";
        var paused = $"paused-{_id}@example.org";
        (await Admin.PutAsJsonAsync($"/api/reports/recipients/{hq}", new { name = "风险部 Risk HQ", role = "RiskManager", scope = "union" })).EnsureSuccessStatusCode();
        (await Admin.PutAsJsonAsync($"/api/reports/recipients/{director}", new { role = "BranchDirector", scope = "B01" })).EnsureSuccessStatusCode();
        (await Admin.PutAsJsonAsync($"/api/reports/recipients/{paused}", new { role = "HqLeader", paused = true })).EnsureSuccessStatusCode();

        var first = await FireAsync();
        Assert.Contains("2 mail(s) queued", first);
        var second = await FireAsync();
        Assert.Contains("0 mail(s) queued", second);

        // The messages the timer queued (the same ids), each delivered, and one of them twice, through SendNotification
        // as the host would. (Other tests' runners poll the shared queue and may deliver the queued copies too: same ids.)
        var mine = await MessagesAsync(hq, director);
        foreach (var body in mine.Append(mine[0]))
        {
            await SendAsync(body);
        }

        var mail = (await Outboxes.MailAsync(Client)).Where(m => m!["to"]!.AsArray().Any(t => t!.GetValue<string>().Contains(_id, StringComparison.Ordinal))).ToList();
        Assert.Equal(2, mail.Count);
        var toHq = mail.Single(m => m!["to"]![0]!.GetValue<string>() == hq)!;
        Assert.Contains("2026-W47", toHq["subject"]!.GetValue<string>());
        var attachments = toHq["attachments"]!.AsArray();
        Assert.Contains(attachments, a => a!["contentId"]?.GetValue<string>() == "trend");
        Assert.Contains(attachments, a => a!["fileName"]!.GetValue<string>() == "npl-ledger-union-2026-W47.xlsx");
        // Each ledger file names where to download it, for a mail it would make too large (here they fit: attached).
        var queued = JsonNode.Parse(mine.Single(b => b.Contains(hq, StringComparison.Ordinal)))!;
        Assert.Equal("http://localhost:7071/api/reports/weekly/files/ledger.csv?week=2026-W47&branch=union",
            queued["attachments"]!.AsArray().Single(a => a!["fileName"]!.GetValue<string>().EndsWith(".csv", StringComparison.Ordinal))!["link"]!.GetValue<string>());
        var raw = JsonNode.Parse(await Client.GetStringAsync($"/dev/mail/{toHq["id"]!.GetValue<string>()}"))!;
        var xlsx = raw["attachments"]!.AsArray().Single(a => a!["filename"]!.GetValue<string>().EndsWith(".xlsx", StringComparison.Ordinal))!;
        Assert.Equal(3, SheetRows(Convert.FromBase64String(xlsx["content"]!.GetValue<string>())).Count - 2);
    }

    [Fact]
    public async Task A_report_mail_answered_429_is_tried_again_and_sent_and_one_answered_500_each_time_is_poisoned()
    {
        await SeedAsync();
        var patient = $"patient-{_id}@example.org";
        var unlucky = $"unlucky-{_id}@example.org";
        (await Admin.PutAsJsonAsync($"/api/reports/recipients/{patient}", new { role = "RiskManager" })).EnsureSuccessStatusCode();
        (await Admin.PutAsJsonAsync($"/api/reports/recipients/{unlucky}", new { role = "HqLeader" })).EnsureSuccessStatusCode();
        _script[patient] = new([HttpStatusCode.TooManyRequests]);
        _script[unlucky] = new([HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError]);
        // Not through the timer: the shared queue would let other tests' runners (without this script) deliver them.
        var bodies = await MessagesAsync(patient, unlucky);

        var toPatient = bodies.Single(b => b.Contains(patient, StringComparison.Ordinal));
        Assert.Contains("try 2 in", await SendAsync(toPatient));
        Assert.Contains("sent to 1 recipient", await SendAsync(WithAttempt(toPatient, 1)));

        var toUnlucky = bodies.Single(b => b.Contains(unlucky, StringComparison.Ordinal));
        Assert.Contains("try 2 in", await SendAsync(toUnlucky));
        Assert.Contains("try 3 in", await SendAsync(WithAttempt(toUnlucky, 1)));
        Assert.Contains("not sent after 3 tries", await SendAsync(WithAttempt(toUnlucky, 2)));

        var poisoned = await App.Services.GetRequiredService<Azure.Storage.Queues.QueueServiceClient>().GetQueueClient("notifications-poison").PeekMessagesAsync(32);
        Assert.Contains(poisoned.Value, m => m.Body.ToString().Contains($"weekly/2026-W47/{unlucky}", StringComparison.Ordinal));
        var mail = (await Outboxes.MailAsync(Client)).Where(m => m!["to"]!.AsArray().Any(t => t!.GetValue<string>().Contains(_id, StringComparison.Ordinal))).ToList();
        Assert.Equal(patient, Assert.Single(mail)!["to"]![0]!.GetValue<string>());
    }

    private static string WithAttempt(string body, int attempt)
    {
        var node = JsonNode.Parse(body)!;
        node["attempt"] = attempt;
        return node.ToJsonString();
    }

    /// <summary>The mails NplWeeklyReport queues for these recipients (W47's archived reports, message ids weekly/2026-W47/{address}).</summary>
    private async Task<List<string>> MessagesAsync(params string[] addresses)
    {
        var service = App.Services.GetRequiredService<WeeklyReportService>();
        var store = App.Services.GetRequiredService<RecipientStore>();
        var week = new Domain.Reports.ReportWeek(2026, 47);
        var list = new List<string>();
        foreach (var address in addresses)
        {
            var recipient = (await store.FindAsync(address, CancellationToken.None))!;
            var archived = (await service.ArchiveAsync(week, [recipient.Scope], final: true, CancellationToken.None))[recipient.Scope];
            list.Add(JsonSerializer.Serialize(service.Mail(week, archived, recipient), Features.Applications.ApplicationStore.Json));
        }

        return list;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode>> _script = new();

    /// <summary>Answers as SendGrid would for a scripted recipient (the body names the address), else lets the request through to the capture.</summary>
    private sealed class ScriptedSendGrid(System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentQueue<HttpStatusCode>> script) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsStringAsync(cancellationToken);
            foreach (var (address, answers) in script)
            {
                if (body.Contains(address, StringComparison.Ordinal) && answers.TryDequeue(out var status))
                {
                    return new HttpResponseMessage(status) { Content = new StringContent("""{"errors":[{"message":"scripted by the test"}]}""", Encoding.UTF8, "application/json") };
                }
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }

    private async Task<string> FireAsync() => (await App.RunTimerAsync("NplWeeklyReport")).Text();

    private async Task<string> SendAsync(string message) => (await App.RunQueueAsync("SendNotification", message)).Text();

    private static (int, int) PngSize(byte[] png) =>
        ((png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19], (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);

    private static List<string[]> SheetRows(byte[] xlsx) => LedgerSheet.Rows(xlsx);
}
