using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Identity;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>One loan of the NPL ledger as the API shows it, with its flags on <see cref="AsOf"/> (the latest complete day).</summary>
public sealed record NplLoanView(
    string LoanId,
    string Branch,
    string OfficerId,
    string BorrowerId,
    string BorrowerName,
    string GroupId,
    string Product,
    string GuaranteeType,
    decimal Balance,
    decimal OverdueAmount,
    LoanCategory Category,
    LoanCategory RuleCategory,
    bool InNpl,
    int DaysOverdue,
    DateOnly? OverdueSince,
    DateOnly? FirstNplOn,
    DateOnly? CuredOn,
    bool LeftBook,
    bool Restructured,
    string LendingSource,
    string? ApplicationId,
    IReadOnlyList<ResponsibleShare> LendingResponsible,
    string? CollectionOfficerId,
    Recoverability? Recoverability,
    string? CollectionPlan,
    DateOnly? NextActionOn,
    DateOnly? LastInspectionOn,
    LitigationStatus Litigation,
    DateOnly? AsOf,
    IReadOnlyList<NplFlag> Flags,
    string ETag);

/// <summary>Reads the ledger rows (<c>l|{loanId}</c> in the branch partition) and their history.</summary>
public sealed class NplLedgerStore(NplStorage storage)
{
    public async Task<(TableEntity Row, BranchId Branch)?> FindAsync(string loanId, IEnumerable<BranchId> branches, CancellationToken cancellationToken)
    {
        var lookups = branches.Distinct().Select(async b =>
        {
            var row = await storage.Ledger.GetEntityIfExistsAsync<TableEntity>(b.Value, NplLedgerRows.LoanRow(loanId), cancellationToken: cancellationToken);
            return row.HasValue ? ((TableEntity Row, BranchId Branch)?)(row.Value!, b) : null;
        });
        return (await Task.WhenAll(lookups)).FirstOrDefault(r => r is not null);
    }

    /// <summary>The branches the ledger has partitions for, as far as the latest runs know them.</summary>
    public async Task<IReadOnlyList<BranchId>> KnownBranchesAsync(NplRuns runs, CancellationToken cancellationToken)
    {
        var latest = await runs.LatestCompleteAsync(cancellationToken);
        var run = latest is { } d ? await runs.FindAsync(d, cancellationToken) : null;
        return run?.Branches.Keys.Select(BranchId.Parse).ToList() ?? [];
    }

    /// <summary>
    /// The loan's history rows, oldest first (by row key), with the opening the ledger row keeps (<paramref name="ledgerRow"/>)
    /// put back in its place unless a history row of the same key exists (one written before openings moved to the ledger row).
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> HistoryAsync(BranchId branch, string loanId, TableEntity? ledgerRow, CancellationToken cancellationToken)
    {
        var prefix = $"{NplLedgerRows.HistoryPrefix}{loanId}|";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {branch.Value} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        var rows = new List<TableEntity>();
        await foreach (var row in storage.Ledger.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }

        if (ledgerRow is not null && NplLedgerRows.OpeningHistory(ledgerRow) is { } opening && !rows.Exists(r => r.RowKey == opening.RowKey))
        {
            var at = rows.FindIndex(r => string.CompareOrdinal(r.RowKey, opening.RowKey) > 0);
            rows.Insert(at < 0 ? rows.Count : at, opening);
        }

        return rows.Select(Item).ToList();
    }

    private static JsonElement Item(TableEntity row)
    {
        var item = new Dictionary<string, object?>();
        foreach (var (key, value) in row)
        {
            if (key is "odata.etag" or "PartitionKey" or "RowKey" or "Timestamp")
            {
                continue;
            }

            item[char.ToLowerInvariant(key[0]) + key[1..]] = key == "Detail" && value is string json ? JsonDocument.Parse(json).RootElement
                : key == "BalanceFen" && value is long fen ? fen / 100m : value;
        }

        return JsonSerializer.SerializeToElement(item, NplRuns.Json);
    }

    public static NplLoanView View(TableEntity row, DateOnly? asOf, NplRules rules)
    {
        var overdueSince = NplLedgerRows.ParseDate(row.GetString("OverdueSince"));
        var inNpl = row.GetBoolean("InNpl") ?? false;
        var firstNpl = NplLedgerRows.ParseDate(row.GetString("FirstNplOn"));
        var cured = NplLedgerRows.ParseDate(row.GetString("CuredOn"));
        var lastInspection = NplLedgerRows.ParseDate(row.GetString("LastInspectionOn"));
        var litigation = Enum.TryParse<LitigationStatus>(row.GetString("Litigation"), out var l) ? l : LitigationStatus.None;
        var date = asOf ?? NplLedgerRows.ParseDate(row.GetString("WrittenOn"));
        var days = date is { } d && overdueSince is { } s && inNpl ? Math.Max(0, d.DayNumber - s.DayNumber) : 0;
        var people = row.GetString("LendingResponsible") is { Length: > 0 } json ? JsonSerializer.Deserialize<List<ResponsibleShare>>(json, NplRuns.Json)! : [];
        return new NplLoanView(
            row.GetString("LoanId"), row.PartitionKey, row.GetString("OfficerId"), row.GetString("BorrowerId"), row.GetString("BorrowerName"),
            row.GetString("GroupId") ?? string.Empty, row.GetString("Product"), row.GetString("GuaranteeType"),
            (row.GetInt64("BalanceFen") ?? 0) / 100m, (row.GetInt64("OverdueAmountFen") ?? 0) / 100m,
            Enum.Parse<LoanCategory>(row.GetString("Category")), Enum.Parse<LoanCategory>(row.GetString("RuleCategory")),
            inNpl, days, overdueSince, firstNpl, cured, row.GetBoolean("LeftBook") ?? false, row.GetBoolean("Restructured") ?? false,
            row.GetString("LendingSource") ?? LendingResponsibility.FromExtract, Empty(row.GetString("ApplicationId")), people,
            Empty(row.GetString("CollectionOfficerId")), Enum.TryParse<Recoverability>(row.GetString("Recoverability"), out var r) ? r : null,
            Empty(row.GetString("CollectionPlan")), NplLedgerRows.ParseDate(row.GetString("NextActionOn")), lastInspection, litigation, date,
            date is { } on ? rules.Flags(on, inNpl, firstNpl, cured, overdueSince, litigation, lastInspection) : [],
            row.ETag.ToString());
    }

    private static string? Empty(string? text) => string.IsNullOrEmpty(text) ? null : text;
}
