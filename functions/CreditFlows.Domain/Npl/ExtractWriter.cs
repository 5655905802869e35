using System.Globalization;
using System.Text;

namespace CreditFlows.Domain.Npl;

/// <summary>Writes loans as an extract CSV (UTF-8, RFC 4180 quoting where a field needs it), in a chosen column order.</summary>
public static class ExtractWriter
{
    public static void Write(Stream stream, IEnumerable<LoanRecord> loans, IReadOnlyList<string>? columns = null)
    {
        columns ??= ExtractColumns.All;
        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\r\n" };
        writer.WriteLine(string.Join(',', columns.Select(Quote)));
        var fields = new string[columns.Count];
        foreach (var loan in loans)
        {
            for (var i = 0; i < columns.Count; i++)
            {
                fields[i] = Quote(Value(loan, columns[i]));
            }

            writer.WriteLine(string.Join(',', fields));
        }
    }

    public static string Value(LoanRecord loan, string column) => column switch
    {
        ExtractColumns.LoanId => loan.LoanId,
        ExtractColumns.BranchId => loan.Branch.Value,
        ExtractColumns.OfficerId => loan.OfficerId,
        ExtractColumns.BorrowerId => loan.BorrowerId,
        ExtractColumns.BorrowerName => loan.BorrowerName,
        ExtractColumns.GroupId => loan.GroupId,
        ExtractColumns.Product => loan.Product,
        ExtractColumns.GuaranteeType => loan.GuaranteeType.ToString().ToLowerInvariant(),
        ExtractColumns.Principal => Yuan(loan.PrincipalFen),
        ExtractColumns.Balance => Yuan(loan.BalanceFen),
        ExtractColumns.DisbursedOn => Date(loan.DisbursedOn),
        ExtractColumns.MaturityOn => Date(loan.MaturityOn),
        ExtractColumns.PrincipalOverdueSince => loan.PrincipalOverdueSince is { } p ? Date(p) : string.Empty,
        ExtractColumns.InterestOverdueSince => loan.InterestOverdueSince is { } i ? Date(i) : string.Empty,
        ExtractColumns.OverduePrincipal => Yuan(loan.OverduePrincipalFen),
        ExtractColumns.OverdueInterest => Yuan(loan.OverdueInterestFen),
        ExtractColumns.Restructured => loan.Restructured ? "true" : "false",
        ExtractColumns.EmployeeRelated => loan.EmployeeRelated ? "true" : "false",
        _ => string.Empty,
    };

    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string Yuan(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
