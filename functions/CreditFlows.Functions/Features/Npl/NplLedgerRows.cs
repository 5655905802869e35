using System.Text.Json;
using Azure.Data.Tables;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>The ledger's table rows: the job's columns (merged, so the assignable columns a RiskManager set stay) and history rows.</summary>
public static class NplLedgerRows
{
    public const string LoanPrefix = "l|";
    public const string HistoryPrefix = "h|";

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

        if (change.Kind != LedgerChangeKind.LeftBook)
        {
            row["LendingSource"] = change.Responsibility.Source;
            row["ApplicationId"] = change.Responsibility.ApplicationId ?? string.Empty;
            row["LendingResponsible"] = JsonSerializer.Serialize(change.Responsibility.People, NplRuns.Json);
        }

        return row;
    }

    /// <summary>The day's history row of a change (its key is the date, so a re-run rewrites it).</summary>
    public static TableEntity History(string branch, DateOnly date, LedgerChange change) =>
        new(branch, HistoryRow(change.Loan.LoanId, NplStorage.Day(date), "daily"))
        {
            ["Kind"] = "daily",
            ["Change"] = change.Kind.ToString(),
            ["On"] = NplStorage.Day(date),
            ["From"] = change.From?.ToString() ?? string.Empty,
            ["To"] = change.Kind == LedgerChangeKind.LeftBook ? "Gone" : change.Loan.Category.ToString(),
            ["RuleCategory"] = change.Loan.RuleCategory.ToString(),
            ["BalanceFen"] = change.Loan.BalanceFen,
            ["DaysOverdue"] = change.Loan.DaysOverdue,
        };

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
