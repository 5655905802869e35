using System.Globalization;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The scope's NPL ledger (不良贷款台账) attached to the report: loans in NPL on the report's day, then those cured
/// or gone during the week (the assembler picks them), largest first. .xlsx (numbers as numbers, text inline; the package
/// the Open XML SDK wrote, now written by <see cref="XlsxPackage"/>) and .csv (UTF-8 with BOM, so Excel/WPS read the Chinese names).
/// A line is formatted and encoded once (<see cref="Encode"/>) for every file it is in: a loan is in its branch's ledger and
/// in the union's, 2 × 78k lines at 1M loans (see BENCHMARKS.md, weekly report).
/// </summary>
public static class LedgerFiles
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string CsvType = "text/csv; charset=utf-8";
    public const string SheetName = "NPL ledger";

    public static readonly string[] Headers =
    [
        "Branch", "LoanId", "BorrowerId", "BorrowerName", "Officer", "Product", "Guarantee", "Category", "InNpl", "Balance", "OverdueAmount",
        "OverdueSince", "FirstNplOn", "CuredOn", "LeftBook", "LendingResponsible", "CollectionOfficer", "Recoverability", "LastInspectionOn", "Litigation",
    ];

    /// <summary>Ledgers up to this many rows are deflated fast in the .xlsx (see <see cref="Xlsx(string, IReadOnlyList{LedgerRow})"/>).</summary>
    public const int FastDeflateUpTo = 20_000;

    private static readonly LedgerRow HeaderRow = new(null, Headers);

    /// <summary>A line's columns as the files show them (null: empty), in <see cref="Headers"/>' order; Balance and OverdueAmount are numbers in the .xlsx.</summary>
    public static string?[] Cells(LedgerLine l) =>
    [
        l.Branch, l.LoanId, l.BorrowerId, l.BorrowerName, l.OfficerId, l.Product, l.GuaranteeType, l.Category.ToString(), l.InNpl ? "yes" : "no",
        Money(l.BalanceFen), Money(l.OverdueAmountFen), Date(l.OverdueSince), Date(l.FirstNplOn), Date(l.CuredOn), l.LeftBook ? "yes" : "no",
        l.Responsible.Count == 1 ? Person(l.Responsible[0]) : string.Join("; ", l.Responsible.Select(Person)),
        l.CollectionOfficerId, l.Recoverability?.ToString(), Date(l.LastInspectionOn), l.Litigation.ToString(),
    ];

    /// <summary>The line's cells encoded for both files; throws <see cref="ArgumentException"/> on text XML cannot hold (as XmlWriter did).</summary>
    public static LedgerRow Encode(LedgerLine line) => new(line, Cells(line));

    /// <summary>The order of the files: NPL first, then largest balance, then loan id (stable: equal keys keep the ledger's order).</summary>
    public static List<LedgerRow> Sort(IEnumerable<LedgerRow> rows) =>
        [.. rows.OrderByDescending(r => r.Line!.InNpl).ThenByDescending(r => r.Line!.BalanceFen).ThenBy(r => r.Line!.LoanId, StringComparer.Ordinal)];

    public static byte[] Xlsx(string title, IEnumerable<LedgerLine> ledger) => Xlsx(title, Sort(ledger.Select(Encode)));

    /// <summary>
    /// The workbook (<see cref="XlsxPackage"/>: the parts the Open XML SDK wrote, the sheet deflated as it is written), its
    /// sheet's XML written as UTF-8 bytes from the rows' encoded cells (<see cref="LedgerEncoding"/>): no element objects, no
    /// XmlWriter. Deflating the sheet is then most of the cost. A ledger of up to <see cref="FastDeflateUpTo"/> rows is
    /// deflated fast (zlib level 1: about 4× less CPU, 1.6× the bytes; a branch's file stays small). A larger one, the
    /// union's, at zlib level 6 as before, because its mail is near SendGrid's 30 MB limit already: at 78k rows its .xlsx
    /// (8.2 MB) and .csv (13.8 MB) are about 29 MB in base64, and a fast deflate would make the .xlsx 12.9 MB.
    /// </summary>
    public static byte[] Xlsx(string title, IReadOnlyList<LedgerRow> rows)
    {
        var fast = rows.Count <= FastDeflateUpTo;
        return XlsxPackage.Write(sheet => LedgerEncoding.WriteSheet(sheet, new LedgerRow(null, [title]), HeaderRow, rows), fast ? 1 : 6,
            sizeHint: 4096 + rows.Count * (fast ? 170 : 110));
    }

    public static byte[] Csv(IEnumerable<LedgerLine> ledger) => Csv(Sort(ledger.Select(Encode)));

    /// <summary>The BOM, the headers' line, then each row's line as encoded (CRLF after every line).</summary>
    public static byte[] Csv(IReadOnlyList<LedgerRow> rows)
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        var length = bom.Length + HeaderRow.Csv.Length;
        foreach (var row in rows)
        {
            length += row.Csv.Length;
        }

        var csv = new byte[length];
        bom.CopyTo(csv);
        var at = bom.Length;
        HeaderRow.Csv.CopyTo(csv.AsSpan(at));
        at += HeaderRow.Csv.Length;
        foreach (var row in rows)
        {
            row.Csv.CopyTo(csv.AsSpan(at));
            at += row.Csv.Length;
        }

        return csv;
    }

    private static string Person(ResponsibleShare p) => $"{p.Name} ({p.UserId}) {p.Duty} {Percent(p.SharePercent)}%";

    /// <summary>As <c>ToString("0.##", InvariantCulture)</c>; a whole number (most shares: 100, 60, 40) without the custom format.</summary>
    private static string Percent(decimal share) =>
        share == decimal.Truncate(share) && Math.Abs(share) < 1_000_000_000m
            ? ((long)share).ToString(CultureInfo.InvariantCulture)
            : share.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>Yuan with 2 places, as <c>(fen / 100m).ToString("0.00", InvariantCulture)</c> writes it ("-0.05", "1234.50"), without the decimal.</summary>
    private static string Money(long fen)
    {
        if (fen == long.MinValue)
        {
            return (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
        }

        var yuan = Math.Abs(fen) / 100;
        var length = (fen < 0 ? 1 : 0) + CountDigits(yuan) + 3;
        return string.Create(length, fen, (chars, f) =>
        {
            var cents = Math.Abs(f) % 100;
            chars[^1] = (char)('0' + cents % 10);
            chars[^2] = (char)('0' + cents / 10);
            chars[^3] = '.';
            var y = Math.Abs(f) / 100;
            var i = chars.Length - 4;
            do
            {
                chars[i--] = (char)('0' + y % 10);
                y /= 10;
            }
            while (y > 0);

            if (f < 0)
            {
                chars[0] = '-';
            }
        });
    }

    /// <summary>yyyy-MM-dd, as <c>ToString("yyyy-MM-dd", InvariantCulture)</c> writes it.</summary>
    private static string? Date(DateOnly? date) => date is not { } d ? null : string.Create(10, d, (chars, day) =>
    {
        day.Year.TryFormat(chars[..4], out _, "D4", CultureInfo.InvariantCulture);
        chars[4] = '-';
        chars[5] = (char)('0' + day.Month / 10);
        chars[6] = (char)('0' + day.Month % 10);
        chars[7] = '-';
        chars[8] = (char)('0' + day.Day / 10);
        chars[9] = (char)('0' + day.Day % 10);
    });

    private static int CountDigits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}

/// <summary>
/// One line of the ledger encoded once for the files it is in: each column's text escaped for the sheet's XML, one after
/// another, then the line of the .csv (RFC 4180 quoting, CRLF). <see cref="Line"/> is null for the title and header rows.
/// </summary>
public sealed class LedgerRow
{
    private readonly byte[] _bytes;
    private readonly int[] _ends;

    internal LedgerRow(LedgerLine? line, IReadOnlyList<string?> cells)
    {
        Line = line;
        (_bytes, _ends) = LedgerEncoding.Encode(cells);
    }

    public LedgerLine? Line { get; }

    /// <summary>Bytes held (XML texts and .csv line).</summary>
    internal int Size => _bytes.Length;

    /// <summary>Columns, empty ones included.</summary>
    public int Count => _ends.Length;

    /// <summary>Column <paramref name="column"/>'s text, escaped for XML and in UTF-8 (empty: the cell is not written).</summary>
    public ReadOnlySpan<byte> Xml(int column) => _bytes.AsSpan((column == 0 ? 0 : _ends[column - 1]).._ends[column]);

    /// <summary>The .csv line, with its CRLF.</summary>
    public ReadOnlySpan<byte> Csv => _bytes.AsSpan(_ends[^1]..);
}
