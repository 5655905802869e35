using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;
using CreditFlows.Functions.Features.Npl;
using CreditFlows.Functions.Tests.Infrastructure;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The first day monitored writes one ledger row per NPL loan and no history row: the ledger row keeps the opening,
/// and GET /api/npl/loans/{id} shows it in the history as the daily row it stands for.
/// </summary>
public class NplOpeningTests() : AppTestBase(new TestApp(settings: NplHarness.Settings(shardSize: 400)))
{
    private static readonly DateOnly Day1 = new(2026, 11, 21);
    private static readonly DateOnly Day2 = new(2026, 11, 22);

    private NplHarness Npl => field ??= new NplHarness(App);

    private HttpClient Risk => field ??= App.CreateClient().As(App, "risk-b01", "B01", Role.RiskManager);

    private static LoanRecord Loan(string id, int daysOverdue, long balanceFen, DateOnly asOf) =>
        new(id, BranchId.Parse("B01"), "lo-b01", "C-" + id, "王小明", string.Empty, "FMC", GuaranteeType.Credit, balanceFen, balanceFen,
            new DateOnly(2024, 1, 1), new DateOnly(2028, 1, 1), daysOverdue > 0 ? asOf.AddDays(-daysOverdue) : null, null, 0, 0, false, false);

    private async Task<JsonArray> HistoryAsync(string id) =>
        (await Risk.GetFromJsonAsync<JsonObject>($"/api/npl/loans/{id}"))!["history"]!.AsArray();

    private static List<JsonObject> Daily(JsonArray history) =>
        history.Where(h => h!["kind"]!.GetValue<string>() == "daily").Select(h => h!.AsObject()).ToList();

    [Fact]
    public async Task The_opening_is_kept_on_the_ledger_row_and_shown_in_the_history_then_later_days_add_rows()
    {
        await Npl.UploadAsync(Day1, [Loan("O1", 100, 10_000_000, Day1), Loan("O2", 300, 5_000_050, Day1), Loan("O3", 0, 1_000_000, Day1)]);
        await Npl.RunDayAsync(Day1);

        var rows = await RowsAsync("B01");
        Assert.Equal(["l|O1", "l|O2"], rows.Select(r => r.RowKey).Order(StringComparer.Ordinal));
        var opening = Daily(await HistoryAsync("O2")).Single();
        Assert.Equal("Opening", opening["change"]!.GetValue<string>());
        Assert.Equal("2026-11-21", opening["on"]!.GetValue<string>());
        Assert.Equal(string.Empty, opening["from"]!.GetValue<string>());
        Assert.Equal("Doubtful", opening["to"]!.GetValue<string>());
        Assert.Equal("Doubtful", opening["ruleCategory"]!.GetValue<string>());
        Assert.Equal(50_000.50m, opening["balanceFen"]!.GetValue<decimal>()); // the API's unit is yuan, as for every daily row
        Assert.Equal(300, opening["daysOverdue"]!.GetValue<int>());

        // A re-run of the first day writes the same row: still one opening, and still no history row.
        var before = rows.Select(Columns).ToList();
        await Npl.RunDayAsync(Day1);
        Assert.Equal(before, (await RowsAsync("B01")).Select(Columns).ToList());
        Assert.Single(Daily(await HistoryAsync("O2")));

        // Day 2: O1 changes (balance), O2 is cured, O3 enters NPL. The opening stays as it was, first in each history.
        await Npl.UploadAsync(Day2, [Loan("O1", 101, 9_000_000, Day2), Loan("O2", 0, 5_000_050, Day2), Loan("O3", 91, 1_000_000, Day2)]);
        await Npl.RunDayAsync(Day2);
        var o1 = Daily(await HistoryAsync("O1"));
        Assert.Equal(["Opening", "Changed"], o1.Select(h => h["change"]!.GetValue<string>()));
        Assert.Equal(100_000m, o1[0]["balanceFen"]!.GetValue<decimal>());
        Assert.Equal(90_000m, o1[1]["balanceFen"]!.GetValue<decimal>());
        var o2 = Daily(await HistoryAsync("O2"));
        Assert.Equal(["Opening", "Cured"], o2.Select(h => h["change"]!.GetValue<string>()));
        Assert.Equal("Doubtful", o2[0]["to"]!.GetValue<string>());
        var o3 = await Risk.GetFromJsonAsync<JsonObject>("/api/npl/loans/O3");
        Assert.Equal("2026-11-22", o3!["loan"]!["firstNplOn"]!.GetValue<string>());
        Assert.Equal(["NewNpl"], Daily(o3["history"]!.AsArray()).Select(h => h["change"]!.GetValue<string>()));
        Assert.Null((await RowsAsync("B01")).Single(r => r.RowKey == "l|O3").GetString(NplLedgerRows.OpeningColumn));
    }

    [Fact]
    public async Task A_first_day_over_several_shards_writes_exactly_one_ledger_row_per_npl_loan()
    {
        var book = new GeneratorOptions(2000, Day1, Branches: 2, OfficersPerBranch: 3, Seed: 5);
        var loans = ExtractGenerator.Generate(book).ToList();
        await Npl.UploadAsync(Day1, loans);
        await Npl.RunDayAsync(Day1);

        var npl = DailyClassification.Run(Day1, "all", ClassificationPolicy.Default, loans, null, new Dictionary<string, LoanOverride>(),
            l => LendingResponsibility.ExtractOfficer(l.OfficerId)).Changes.Select(c => c.Loan.LoanId).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(npl);
        var rows = (await RowsAsync("B01")).Concat(await RowsAsync("B02")).ToList();
        Assert.Equal(npl, rows.Select(r => r.RowKey).Order(StringComparer.Ordinal).Select(k => k[NplLedgerRows.LoanPrefix.Length..]).ToList());
        Assert.All(rows, r => Assert.StartsWith("{\"on\":\"2026-11-21\"", r.GetString(NplLedgerRows.OpeningColumn), StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_opening_history_row_written_before_the_change_is_shown_once()
    {
        await Npl.UploadAsync(Day1, [Loan("L1", 200, 10_000_000, Day1)]);
        await Npl.RunDayAsync(Day1);
        var ledger = (await RowsAsync("B01")).Single();

        // What the job wrote for an opening before it moved to the ledger row: the same row, as a history row.
        var legacy = NplLedgerRows.OpeningHistory(ledger)!;
        Assert.Equal("h|L1|2026-11-21|daily", legacy.RowKey);
        await Npl.Storage.Ledger.UpsertEntityAsync(legacy, TableUpdateMode.Replace);
        var daily = Daily(await HistoryAsync("L1"));
        Assert.Equal("Opening", Assert.Single(daily)["change"]!.GetValue<string>());
    }

    private static string Columns(TableEntity row) =>
        string.Join(";", row.Where(p => p.Key is not ("odata.etag" or "Timestamp")).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    private async Task<List<TableEntity>> RowsAsync(string partition)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in Npl.Storage.Ledger.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}")))
        {
            rows.Add(row);
        }

        return rows;
    }
}
