using System.Globalization;
using System.Text;
using System.Xml;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Reports;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// The ledger files as <see cref="LedgerFiles"/> wrote them before the render work of issue 7 (an XmlWriter over the
/// Open XML SDK's part, per-cell strings, a StreamWriter for the .csv), kept unchanged as the reference: the tests prove
/// the faster writers equal to it cell by cell (.xlsx) and byte by byte (.csv), and the render benchmark
/// (bench, <c>render</c> mode) times the two against each other. Not used by the app.
/// </summary>
public static class LedgerFilesBefore
{
    private static readonly string[] Headers = LedgerFiles.Headers;

    private static readonly int[] Numeric = [9, 10];

    private const string Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    private static readonly string[] Letters = [.. Enumerable.Range(0, 26).Select(Letter)];

    /// <summary>The ledger's rows as the files show them: NPL first, then largest balance, then loan id.</summary>
    public static List<string?[]> Rows(IEnumerable<LedgerLine> ledger) =>
        [.. ledger.OrderByDescending(l => l.InNpl).ThenByDescending(l => l.BalanceFen).ThenBy(l => l.LoanId, StringComparer.Ordinal).Select(l => new[]
        {
            l.Branch, l.LoanId, l.BorrowerId, l.BorrowerName, l.OfficerId, l.Product, l.GuaranteeType, l.Category.ToString(), l.InNpl ? "yes" : "no",
            Money(l.BalanceFen), Money(l.OverdueAmountFen), Date(l.OverdueSince), Date(l.FirstNplOn), Date(l.CuredOn), l.LeftBook ? "yes" : "no",
            string.Join("; ", l.Responsible.Select(p => $"{p.Name} ({p.UserId}) {p.Duty} {p.SharePercent.ToString("0.##", CultureInfo.InvariantCulture)}%")),
            l.CollectionOfficerId, l.Recoverability?.ToString(), Date(l.LastInspectionOn), l.Litigation.ToString(),
        })];

    public static byte[] Xlsx(string title, IEnumerable<LedgerLine> ledger) => Xlsx(title, Rows(ledger));

    /// <summary>
    /// The workbook: the package and workbook parts through the Open XML SDK, the sheet's XML written straight to its part
    /// (a row at a time, no element objects per cell: a union's ledger has tens of thousands of rows).
    /// </summary>
    public static byte[] Xlsx(string title, IReadOnlyList<string?[]> rows)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook(new Sheets());
            var part = workbook.AddNewPart<WorksheetPart>();
            using (var xml = XmlWriter.Create(part.GetStream(FileMode.Create, FileAccess.Write), new XmlWriterSettings { Encoding = new UTF8Encoding(false) }))
            {
                xml.WriteStartDocument(true);
                xml.WriteStartElement("worksheet", Main);
                xml.WriteStartElement("sheetData", Main);
                var number = 0;
                foreach (var values in new[] { new string?[] { title }, Headers }.Concat(rows))
                {
                    number++;
                    var at = number.ToString(CultureInfo.InvariantCulture);
                    xml.WriteStartElement("row", Main);
                    xml.WriteAttributeString("r", at);
                    for (var c = 0; c < values.Length; c++)
                    {
                        if (values[c] is not { Length: > 0 } value)
                        {
                            continue;
                        }

                        xml.WriteStartElement("c", Main);
                        xml.WriteAttributeString("r", Letters[c] + at);
                        if (number > 2 && Numeric.Contains(c))
                        {
                            xml.WriteAttributeString("t", "n");
                            xml.WriteElementString("v", Main, value);
                        }
                        else
                        {
                            xml.WriteAttributeString("t", "inlineStr");
                            xml.WriteStartElement("is", Main);
                            xml.WriteElementString("t", Main, value);
                            xml.WriteEndElement();
                        }

                        xml.WriteEndElement();
                    }

                    xml.WriteEndElement();
                }

                xml.WriteEndElement();
                xml.WriteEndElement();
            }

            workbook.Workbook.Sheets!.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = 1, Name = LedgerFiles.SheetName });
            workbook.Workbook.Save();
        }

        return stream.ToArray();
    }

    public static byte[] Csv(IEnumerable<LedgerLine> ledger) => Csv(Rows(ledger));

    public static byte[] Csv(IReadOnlyList<string?[]> rows)
    {
        using var stream = new MemoryStream();
        using (var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), 1 << 16, leaveOpen: true))
        {
            foreach (var row in new[] { Headers }.Concat(rows))
            {
                for (var c = 0; c < row.Length; c++)
                {
                    if (c > 0)
                    {
                        writer.Write(',');
                    }

                    writer.Write(Quote(row[c]));
                }

                writer.Write("\r\n");
            }
        }

        return stream.ToArray();
    }

    /// <summary>RFC 4180 quoting; a cell starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.</summary>
    private static string Quote(string? value)
    {
        var text = value ?? string.Empty;
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _))
        {
            text = "'" + text;
        }

        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
    }

    private static string Money(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static string? Date(DateOnly? date) => date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Letter(int column) => column < 26 ? ((char)('A' + column)).ToString() : $"{(char)('A' + column / 26 - 1)}{(char)('A' + column % 26)}";
}
