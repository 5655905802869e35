using System.Text;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;
using CreditFlows.Functions.Features.Reports;
using CreditFlows.Functions.Tests.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;

namespace CreditFlows.Functions.Tests;

/// <summary>
/// The weekly report's ledger files, written by hand for speed, hold what the XmlWriter and StreamWriter writers wrote
/// (<see cref="LedgerFilesBefore"/>): the .csv byte for byte, the .xlsx cell for cell (reference, type, text) as the Open XML
/// SDK reads it back, over ledgers with Chinese names, commas, quotes, line breaks, formula-like text and empty columns.
/// No storage: the files are rendered in memory.
/// </summary>
public class WeeklyReportLedgerFilesTests
{
    private const string Title = "不良贷款台账 NPL ledger · 城关信用社 (B01) · 2026-W47 (as of 2026-11-22)";

    private static readonly List<LedgerLine> Awkward = [.. LedgerSamples.Branches(3_000, 4, seed: 3, awkward: true).SelectMany(b => b)];

    private static readonly List<LedgerLine> Realistic = [.. LedgerSamples.Branches(5_000, 10, seed: 5).SelectMany(b => b)];

    /// <summary>Over <see cref="LedgerFiles.FastDeflateUpTo"/> rows: deflated at the other level, as the union's.</summary>
    private static readonly List<LedgerLine> Large = [.. LedgerSamples.Branches(LedgerFiles.FastDeflateUpTo + 1_000, 10, seed: 11, awkward: true).SelectMany(b => b)];

    public static TheoryData<string> Ledgers => ["awkward", "realistic", "large"];

    private static List<LedgerLine> Ledger(string name) => name switch { "awkward" => Awkward, "realistic" => Realistic, _ => Large };

    [Theory]
    [MemberData(nameof(Ledgers))]
    public void Csv_is_byte_for_byte_what_the_StreamWriter_wrote(string ledger) =>
        Assert.Equal(LedgerFilesBefore.Csv(Ledger(ledger)), LedgerFiles.Csv(Ledger(ledger)));

    [Theory]
    [MemberData(nameof(Ledgers))]
    public void Xlsx_has_the_cells_the_XmlWriter_wrote_numbers_as_numbers(string ledger)
    {
        var before = Cells(LedgerFilesBefore.Xlsx(Title, Ledger(ledger)));
        var after = Cells(LedgerFiles.Xlsx(Title, Ledger(ledger)));
        Assert.Equal(before.Count, after.Count);
        for (var r = 0; r < before.Count; r++)
        {
            Assert.Equal(before[r], after[r]); // row by row, so a failure names the row
        }

        // And what the cells should be: the title, the headers, then the sorted lines' texts; Balance and OverdueAmount typed as numbers.
        var rows = LedgerFilesBefore.Rows(Ledger(ledger));
        Assert.Equal(rows.Count + 2, after.Count);
        Assert.Equal([("A1", "inlineStr", Title)], after[0]);
        Assert.Equal(LedgerFiles.Headers.Select((h, c) => ($"{(char)('A' + c)}2", "inlineStr", h)), after[1]);
        for (var r = 0; r < rows.Count; r++)
        {
            var expected = rows[r].Select((text, c) => (Column: c, Text: text)).Where(x => !string.IsNullOrEmpty(x.Text))
                .Select(x => ($"{(char)('A' + x.Column)}{r + 3}", x.Column is 9 or 10 ? "n" : "inlineStr", x.Text!.Replace("\r\n", "\n").Replace('\r', '\n')));
            Assert.Equal(expected, after[r + 2]);
        }
    }

    [Fact]
    public void Xlsx_is_a_valid_workbook_the_Open_XML_SDK_opens()
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(LedgerFiles.Xlsx(Title, Awkward)), isEditable: false);
        Assert.Empty(new OpenXmlValidator().Validate(document));
        Assert.Equal(LedgerFiles.SheetName, document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single().Name);
    }

    [Fact]
    public void Csv_quotes_commas_quotes_and_line_breaks_and_defuses_formulas_but_not_negative_numbers()
    {
        var line = Line("L1", "王, \"伟\"", overdueFen: -1_250) with { CollectionOfficerId = "=HYPERLINK(\"x\")", Responsible = [new ResponsibleShare("u1", "李\r\n四", "Approval", 100m)] };
        var csv = Encoding.UTF8.GetString(LedgerFiles.Csv([line]));
        Assert.Equal(
            "\uFEFF" + string.Join(',', LedgerFiles.Headers) + "\r\n" +
            "B01,L1,C-L1,\"王, \"\"伟\"\"\",lo-1,FMC,Credit,Substandard,yes,500.00,-12.50,2026-08-01,2026-09-01,,no,\"李\r\n四 (u1) Approval 100%\",\"'=HYPERLINK(\"\"x\"\")\",,,None\r\n",
            csv);
    }

    [Fact]
    public void A_character_XML_cannot_hold_fails_the_xlsx_as_it_did_with_XmlWriter()
    {
        List<LedgerLine> ledger = [Line("L1", "张\u0001三")];
        Assert.ThrowsAny<ArgumentException>(() => LedgerFilesBefore.Xlsx(Title, ledger));
        Assert.ThrowsAny<ArgumentException>(() => LedgerFiles.Xlsx(Title, ledger));
    }

    [Fact]
    public void Rendering_all_scopes_at_once_gives_each_scope_the_files_it_gets_alone()
    {
        var branches = LedgerSamples.Branches(2_000, 3, seed: 9, awkward: true);
        List<IReadOnlyList<LedgerLine>> ledgers = [branches.SelectMany(b => b).ToList(), .. branches];
        List<WeeklyReport> reports = [.. ledgers.Select((l, i) => Report(i == 0 ? WeeklyReportBuilder.Union : $"B{i:00}", l))];
        var assembler = new WeeklyReportAssembler(null!, new ReportChart(ChartFont.Resolve(null)), new ReportOptions(), (_, _) => Task.FromResult(NplRules.Default));

        var all = assembler.RenderAll(reports, ledgers, CancellationToken.None);

        Assert.Equal(reports.Select(r => r.Scope).Order(), all.Keys.Order());
        for (var i = 0; i < reports.Count; i++)
        {
            var files = all[reports[i].Scope].Files;
            var title = $"不良贷款台账 NPL ledger · {reports[i].ScopeName} · {reports[i].Week} (as of 2026-11-22)";
            Assert.Equal(LedgerFilesBefore.Csv(ledgers[i]), files[WeeklyReportAssembler.LedgerCsv]);
            Assert.Equal(Cells(LedgerFilesBefore.Xlsx(title, ledgers[i])), Cells(files[WeeklyReportAssembler.LedgerXlsx]));
            Assert.Equal([0x89, 0x50, 0x4E, 0x47], files[WeeklyReportAssembler.TrendPng][..4]);
            Assert.Equal([0x89, 0x50, 0x4E, 0x47], files[WeeklyReportAssembler.CategoriesPng][..4]);
            Assert.Contains(reports[i].ScopeName, Encoding.UTF8.GetString(files[WeeklyReportAssembler.Html]));
        }
    }

    [Fact]
    public void A_scope_without_ledger_lines_gets_the_headers_only()
    {
        var assembler = new WeeklyReportAssembler(null!, new ReportChart(ChartFont.Resolve(null)), new ReportOptions(), (_, _) => Task.FromResult(NplRules.Default));
        var files = assembler.Render(Report("B01", []), []).Files;
        Assert.Equal(LedgerFilesBefore.Csv(new List<LedgerLine>()), files[WeeklyReportAssembler.LedgerCsv]);
        Assert.Equal(2, Cells(files[WeeklyReportAssembler.LedgerXlsx]).Count);
    }

    /// <summary>Every row's cells as the SDK reads them: reference, type and text (inline string or value).</summary>
    private static List<List<(string Reference, string Type, string Text)>> Cells(byte[] xlsx)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), isEditable: false);
        var sheet = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == LedgerFiles.SheetName);
        var part = (WorksheetPart)document.WorkbookPart.GetPartById(sheet.Id!);
        return [.. part.Worksheet.Descendants<Row>().Select(r => r.Elements<Cell>().Select(c => (
            c.CellReference!.Value!,
            c.DataType?.Value == CellValues.InlineString ? "inlineStr" : c.DataType?.Value == CellValues.Number ? "n" : $"other: {c.DataType?.InnerText}",
            c.DataType?.Value == CellValues.InlineString ? c.InlineString!.InnerText : c.CellValue!.Text)).ToList())];
    }

    private static LedgerLine Line(string id, string name, long overdueFen = 0) =>
        new(id, "B01", "lo-1", "C-" + id, name, "FMC", "Credit", 50_000, overdueFen, LoanCategory.Substandard, true, new DateOnly(2026, 8, 1), new DateOnly(2026, 9, 1), null,
            false, [], null, null, null, LitigationStatus.None);

    private static WeeklyReport Report(string scope, IReadOnlyList<LedgerLine> ledger) => WeeklyReportBuilder.Build(new WeeklyReportInput
    {
        Week = ReportWeek.Of(new DateOnly(2026, 11, 22)),
        Scope = scope,
        ScopeName = scope == WeeklyReportBuilder.Union ? "联社 Union" : $"第{scope[1..]}信用社 ({scope})",
        AsOf = new DateOnly(2026, 11, 22),
        Now = new DayTotals { Counts = [0, 10, 0, 2, 0, 1], BalancesFen = [0, 1_000_000, 0, 50_000, 0, 20_000] },
        Ledger = ledger,
        Trend = [new TrendInput(ReportWeek.Of(new DateOnly(2026, 11, 22)), new DateOnly(2026, 11, 22), new DayTotals { Counts = [0, 10, 0, 2, 0, 1], BalancesFen = [0, 1_000_000, 0, 50_000, 0, 20_000] })],
    });
}
