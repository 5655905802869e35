using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// The ledger's table rows: the job's columns (merged, so the assignable columns a RiskManager set stay) and history
/// rows. The opening (a loan in NPL on the first day monitored) has no history row of its own: the ledger row keeps it
/// in column <see cref="OpeningColumn"/>, which later days' merges leave alone, and <see cref="OpeningHistory"/> turns it
/// back into the history row it stands for. On the first day every NPL loan is an opening, so this halves that day's writes.
/// </summary>
public static class NplLedgerRows
{
    public const string LoanPrefix = "l|";
    public const string HistoryPrefix = "h|";

    /// <summary>The ledger row's record of the opening: <see cref="Opening"/> as JSON.</summary>
    public const string OpeningColumn = "Opening";

    private const string DailyKind = "daily";

    public static string LoanRow(string loanId) => LoanPrefix + loanId;

    public static string HistoryRow(string loanId, string stamp, string kind) => $"{HistoryPrefix}{loanId}|{stamp}|{kind}";

    public static string Date(DateOnly? date) => date is { } d ? NplStorage.Day(d) : string.Empty;

    public static DateOnly? ParseDate(string? text) => DateOnly.TryParseExact(text, "yyyy-MM-dd", out var d) ? d : null;

    /// <summary>The ledger row's job columns for a change of <paramref name="date"/>.</summary>
    public static TableEntity Loan(string branch, DateOnly date, LedgerChange change)
    {
        var loan = change.Loan;
        var inNpl = change.Kind is LedgerChangeKind.NewNpl or LedgerChangeKind.Changed or LedgerChangeKind.Opening;
        var row = new TableEntity(branch, LoanRow(loan.LoanId))
        {
            ["LoanId"] = loan.LoanId,
            ["Branch"] = branch,
            ["OfficerId"] = loan.OfficerId,
            ["BorrowerId"] = loan.BorrowerId,
            ["BorrowerName"] = loan.BorrowerName,
            ["GroupId"] = loan.GroupId,
            ["Product"] = loan.Product,
            ["GuaranteeType"] = loan.GuaranteeType.ToString(),
            ["BalanceFen"] = loan.BalanceFen,
            ["OverdueAmountFen"] = loan.OverdueAmountFen,
            ["OverdueSince"] = Date(loan.OverdueSince),
            ["Restructured"] = loan.Restructured,
            ["RuleCategory"] = loan.RuleCategory.ToString(),
            ["Category"] = loan.Category.ToString(),
            ["InNpl"] = inNpl,
            ["CuredOn"] = inNpl ? string.Empty : Date(date),
            ["LeftBook"] = change.Kind == LedgerChangeKind.LeftBook,
            ["WrittenOn"] = Date(date),
        };
        if (inNpl)
        {
            row["FirstNplOn"] = Date(loan.FirstNplOn);
        }

        if (change.Kind == LedgerChangeKind.Opening)
        {
            row[OpeningColumn] = JsonSerializer.Serialize(
                new Opening(NplStorage.Day(date), loan.Category, loan.RuleCategory, loan.BalanceFen, loan.DaysOverdue), NplRuns.Json);
        }

        if (change.Kind != LedgerChangeKind.LeftBook)
        {
            row["LendingSource"] = change.Responsibility.Source;
            row["ApplicationId"] = change.Responsibility.ApplicationId ?? string.Empty;
            row["LendingResponsible"] = JsonSerializer.Serialize(change.Responsibility.People, NplRuns.Json);
        }

        return row;
    }

    /// <summary>A ledger row (the job's columns and the ones a person sets) as the weekly report and the ledger export read it.</summary>
    public static LedgerLine Line(TableEntity row)
    {
        var people = row.GetString("LendingResponsible") is { Length: > 0 } json ? JsonSerializer.Deserialize<List<ResponsibleShare>>(json, NplRuns.Json)! : [];
        return new LedgerLine(
            row.GetString("LoanId") ?? row.RowKey[LoanPrefix.Length..], row.PartitionKey, row.GetString("OfficerId") ?? string.Empty,
            row.GetString("BorrowerId") ?? string.Empty, row.GetString("BorrowerName") ?? string.Empty, row.GetString("Product") ?? string.Empty,
            row.GetString("GuaranteeType") ?? string.Empty, row.GetInt64("BalanceFen") ?? 0, row.GetInt64("OverdueAmountFen") ?? 0,
            LoanCategories.TryParse(row.GetString("Category"), out var c) ? c : LoanCategory.Normal, row.GetBoolean("InNpl") ?? false,
            ParseDate(row.GetString("OverdueSince")), ParseDate(row.GetString("FirstNplOn")), ParseDate(row.GetString("CuredOn")),
            row.GetBoolean("LeftBook") ?? false, people, row.GetString("CollectionOfficerId") is { Length: > 0 } officer ? officer : null,
            Enum.TryParse<Recoverability>(row.GetString("Recoverability"), out var r) ? r : null, ParseDate(row.GetString("LastInspectionOn")),
            Enum.TryParse<LitigationStatus>(row.GetString("Litigation"), out var l) ? l : LitigationStatus.None);
    }

    /// <summary>Whether a change gets a history row of its own (an opening is kept on the ledger row instead).</summary>
    public static bool HasHistoryRow(LedgerChange change) => change.Kind != LedgerChangeKind.Opening;

    /// <summary>The day's history row of a change (its key is the date, so a re-run rewrites it).</summary>
    public static TableEntity History(string branch, DateOnly date, LedgerChange change) =>
        Daily(branch, change.Loan.LoanId, NplStorage.Day(date), change.Kind, change.From?.ToString() ?? string.Empty,
            change.Kind == LedgerChangeKind.LeftBook ? "Gone" : change.Loan.Category.ToString(), change.Loan.RuleCategory, change.Loan.BalanceFen,
            change.Loan.DaysOverdue);

    /// <summary>The history row the ledger row's opening stands for (the row the first day would otherwise have written), or null.</summary>
    public static TableEntity? OpeningHistory(TableEntity ledgerRow)
    {
        if (ledgerRow.GetString(OpeningColumn) is not { Length: > 0 } json || JsonSerializer.Deserialize<Opening>(json, NplRuns.Json) is not { } opening)
        {
            return null;
        }

        var loanId = ledgerRow.RowKey[LoanPrefix.Length..];
        return Daily(ledgerRow.PartitionKey, loanId, opening.On, LedgerChangeKind.Opening, string.Empty, opening.To.ToString(), opening.RuleCategory,
            opening.BalanceFen, opening.DaysOverdue);
    }

    private static TableEntity Daily(string branch, string loanId, string on, LedgerChangeKind kind, string from, string to, LoanCategory rule, long balanceFen, int days) =>
        new(branch, HistoryRow(loanId, on, DailyKind))
        {
            ["Kind"] = DailyKind,
            ["Change"] = kind.ToString(),
            ["On"] = on,
            ["From"] = from,
            ["To"] = to,
            ["RuleCategory"] = rule.ToString(),
            ["BalanceFen"] = balanceFen,
            ["DaysOverdue"] = days,
        };

    /// <summary>What the first day monitored found for a loan in NPL: the columns of its would-be history row.</summary>
    private sealed record Opening(string On, LoanCategory To, LoanCategory RuleCategory, long BalanceFen, int DaysOverdue);

    /// <summary>An audit row: who did what to the loan's ledger entry or classification, and when.</summary>
    public static TableEntity Audit(string branch, string loanId, DateTimeOffset at, string kind, string actorId, object detail) =>
        new(branch, HistoryRow(loanId, at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture), kind))
        {
            ["Kind"] = kind,
            ["ActorId"] = actorId,
            ["At"] = at,
            ["Detail"] = JsonSerializer.Serialize(detail, NplRuns.Json),
        };
}
