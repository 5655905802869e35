using System.Globalization;
using System.Text;
using CreditFlows.Domain.Reports;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The scope's NPL ledger (不良贷款台账) attached to the report: loans in NPL on the report's day, then those cured
/// or gone during the week (the assembler picks them), largest first. .xlsx with the Open XML SDK (as the authority matrix: numbers as numbers, text inline)
/// and .csv (UTF-8 with BOM, so Excel/WPS read the Chinese names).
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

    private static readonly LedgerRow HeaderRow = new(null, Headers);

    /// <summary>A line's columns as the files show them (null: empty), in <see cref="Headers"/>' order; Balance and OverdueAmount are numbers in the .xlsx.</summary>
    public static string?[] Cells(LedgerLine l) =>
    [
        l.Branch, l.LoanId, l.BorrowerId, l.BorrowerName, l.OfficerId, l.Product, l.GuaranteeType, l.Category.ToString(), l.InNpl ? "yes" : "no",
        Money(l.BalanceFen), Money(l.OverdueAmountFen), Date(l.OverdueSince), Date(l.FirstNplOn), Date(l.CuredOn), l.LeftBook ? "yes" : "no",
        string.Join("; ", l.Responsible.Select(p => $"{p.Name} ({p.UserId}) {p.Duty} {p.SharePercent.ToString("0.##", CultureInfo.InvariantCulture)}%")),
        l.CollectionOfficerId, l.Recoverability?.ToString(), Date(l.LastInspectionOn), l.Litigation.ToString(),
    ];

    /// <summary>The line's cells encoded for both files; throws <see cref="ArgumentException"/> on text XML cannot hold (as XmlWriter did).</summary>
    public static LedgerRow Encode(LedgerLine line) => new(line, Cells(line));

    /// <summary>The order of the files: NPL first, then largest balance, then loan id (stable: equal keys keep the ledger's order).</summary>
    public static List<LedgerRow> Sort(IEnumerable<LedgerRow> rows) =>
        [.. rows.OrderByDescending(r => r.Line!.InNpl).ThenByDescending(r => r.Line!.BalanceFen).ThenBy(r => r.Line!.LoanId, StringComparer.Ordinal)];

    public static byte[] Xlsx(string title, IEnumerable<LedgerLine> ledger) => Xlsx(title, Sort(ledger.Select(Encode)));

    /// <summary>
    /// The workbook: the package and workbook parts through the Open XML SDK, the sheet's XML written straight to its part as
    /// UTF-8 bytes (<see cref="LedgerEncoding"/>): a row at a time from the rows' encoded cells, no element objects, no XmlWriter.
    /// The part is deflated at the SDK's default level: the union's .xlsx and .csv already make a mail of about 22 MB
    /// (29 MB in base64) at 1M loans, so a faster, larger deflate is not worth its 40–60% more bytes.
    /// </summary>
    public static byte[] Xlsx(string title, IReadOnlyList<LedgerRow> rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook(new Sheets());
            var part = workbook.AddNewPart<WorksheetPart>();
            using (var sheet = part.GetStream(FileMode.Create, FileAccess.Write))
            {
                LedgerEncoding.WriteSheet(sheet, new LedgerRow(null, [title]), HeaderRow, rows);
            }

            workbook.Workbook.Sheets!.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = SheetName });
            workbook.Workbook.Save();
        }

        return stream.ToArray();
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

    private static string Money(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
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
