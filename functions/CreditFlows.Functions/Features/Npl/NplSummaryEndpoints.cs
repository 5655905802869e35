using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Npl;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Npl;

public sealed record CategoryLine(LoanCategory Category, long Count, decimal Balance);

public sealed record MigrationLine(string From, string To, long Count, decimal Balance);

public sealed record TotalsView(
    string Scope, long Loans, decimal TotalBalance, decimal NplBalance, decimal NplRatio, decimal OverdueBalance, long NewNplCount, decimal NewNplBalance,
    long CuredCount, decimal CuredBalance, IReadOnlyList<CategoryLine> Categories, IReadOnlyList<MigrationLine> Migrations)
{
    public static TotalsView From(string scope, DayTotals t) => new(scope, t.TotalCount, t.TotalBalanceFen / 100m, t.NplBalanceFen / 100m, t.NplRatio,
        t.OverdueBalanceFen / 100m, t.NewNplCount, t.NewNplBalanceFen / 100m, t.CuredCount, t.CuredBalanceFen / 100m,
        LoanCategories.All.Select(c => new CategoryLine(c, t.Counts[(int)c], t.BalancesFen[(int)c] / 100m)).ToList(),
        t.Migrations.Select(m => new MigrationLine(m.Key.Split('>')[0], m.Key.Split('>')[1], m.Value[0], m.Value[1] / 100m)).ToList());
}

public sealed record NplSummaryView(DateOnly Date, TotalsView Totals, IReadOnlyList<TotalsView> Branches, IReadOnlyList<TotalsView> Officers);

/// <summary><c>GET /api/npl/summary?date=&amp;branch=</c> and <c>GET /api/npl/runs/{date}</c>.</summary>
public static class NplSummaryEndpoints
{
    public static void MapNplSummary(this RouteGroupBuilder group)
    {
        group.MapGet("/summary", SummaryAsync)
            .WithSummary("A day's balances and NPL ratio per category, branch and officer (default: the latest complete day; your branch unless you see all).")
            .Produces<NplSummaryView>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/runs/{date}", RunAsync)
            .WithSummary("The state of a day's run: missing, rejected (and why), running, complete.")
            .Produces<DayRun>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> SummaryAsync(ClaimsPrincipal principal, NplStorage storage, NplRuns runs, string? date, string? branch, CancellationToken cancellationToken)
    {
        var user = principal.ToCreditUser();
        if (NplEndpoints.ResolveBranch(user, branch, out var scope) is { } problem)
        {
            return problem;
        }

        DateOnly day;
        if (date is not null)
        {
            if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
            {
                return ApiProblems.BadRequest("date", "is a date written yyyy-MM-dd.");
            }
        }
        else if (await runs.LatestCompleteAsync(cancellationToken) is { } latest)
        {
            day = latest;
        }
        else
        {
            return ApiProblems.NotFound("No day has been monitored yet.");
        }

        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        await foreach (var row in storage.Summaries.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {NplStorage.Day(day)}"), cancellationToken: cancellationToken))
        {
            rows[row.RowKey] = row;
        }

        var key = scope is { } b ? NplSummaryBuilder.BranchRow(b.Value) : NplSummaryBuilder.UnionRow;
        if (!rows.TryGetValue(key, out var head))
        {
            return ApiProblems.NotFound($"There is no summary for {NplStorage.Day(day)}{(scope is { } s ? $" and branch {s}" : string.Empty)}.");
        }

        TotalsView View(TableEntity row, string name) => TotalsView.From(name, JsonSerializer.Deserialize<DayTotals>(row.GetString("Totals"), NplRuns.Json)!);
        var branches = rows.Values.Where(r => r.RowKey.StartsWith("branch|", StringComparison.Ordinal) && (scope is null || r.GetString("Branch") == scope.Value.Value))
            .Select(r => View(r, r.GetString("Branch"))).ToList();
        var officers = rows.Values.Where(r => r.RowKey.StartsWith("officer|", StringComparison.Ordinal) && (scope is null || r.GetString("Branch") == scope.Value.Value))
            .Select(r => View(r, $"{r.GetString("Branch")}/{r.GetString("Officer")}")).ToList();
        return Results.Ok(new NplSummaryView(day, View(head, scope?.Value ?? "union"), branches, officers));
    }

    private static async Task<IResult> RunAsync(string date, NplRuns runs, CancellationToken cancellationToken)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return ApiProblems.BadRequest("date", "is a date written yyyy-MM-dd.");
        }

        return await runs.FindAsync(day, cancellationToken) is { } run ? Results.Json(run, NplRuns.Json) : ApiProblems.NotFound($"No run for {date}.");
    }
}
