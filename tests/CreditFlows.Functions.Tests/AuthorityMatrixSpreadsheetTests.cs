using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using CreditFlows.Functions.Tests.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CreditFlows.Functions.Tests;

/// <summary>The .xlsx HQ edits: exported, changed in a spreadsheet library as Excel would, imported as a draft.</summary>
public class AuthorityMatrixSpreadsheetTests : AppTestBase
{
    private const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private readonly Matrices _m;

    public AuthorityMatrixSpreadsheetTests()
        : base(new TestApp()) => _m = new Matrices(App);

    private async Task<byte[]> ExportAsync(string version)
    {
        var response = await _m.Maker.GetAsync($"/api/authority-matrix/versions/{version}/export?format=xlsx");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Xlsx, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private async Task<HttpResponseMessage> ImportAsync(byte[] workbook, string query = "")
    {
        var content = new ByteArrayContent(workbook);
        content.Headers.ContentType = new MediaTypeHeaderValue(Xlsx);
        return await _m.Maker.PostAsync($"/api/authority-matrix/drafts/import{query}", content);
    }

    /// <summary>Opens the workbook, lets <paramref name="edit"/> change the Matrix sheet's cells (as shared strings, like Excel), saves it.</summary>
    private static byte[] Edit(byte[] workbook, Action<WorkbookPart, Worksheet> edit)
    {
        using var stream = new MemoryStream();
        stream.Write(workbook);
        using (var document = SpreadsheetDocument.Open(stream, isEditable: true))
        {
            var part = document.WorkbookPart!;
            var sheet = part.Workbook.Sheets!.Elements<Sheet>().First(s => s.Name == "Matrix");
            var worksheet = ((WorksheetPart)part.GetPartById(sheet.Id!)).Worksheet;
            edit(part, worksheet);
            worksheet.Save();
            part.Workbook.Save();
        }

        return stream.ToArray();
    }

    private static Cell CellAt(Worksheet sheet, string reference) => sheet.Descendants<Cell>().First(c => c.CellReference == reference);

    private static void SetText(Cell cell, string text)
    {
        cell.DataType = CellValues.InlineString;
        cell.CellValue = null;
        cell.InlineString = new InlineString(new Text(text));
    }

    private static void SetNumber(Cell cell, string number)
    {
        cell.DataType = CellValues.Number;
        cell.InlineString = null;
        cell.CellValue = new CellValue(number);
    }

    [Fact]
    public async Task An_exported_sheet_edited_and_imported_is_a_draft_with_exactly_that_change()
    {
        var exported = await ExportAsync("default-2026-01");

        // Row 2 is * × * × Credit, band 1 (up to 500,000); row 3 band 2 starts there. Raise the limit to 600,000.
        var edited = Edit(exported, (_, sheet) =>
        {
            SetNumber(CellAt(sheet, "E2"), "600000");
            SetNumber(CellAt(sheet, "D3"), "600000");
        });
        var draft = await Loans.ReadAsync(await ImportAsync(edited, $"?effectiveFrom={Matrices.Date(_m.Today.AddDays(7))}&note=xlsx"), HttpStatusCode.Created);
        Assert.Equal("xlsx", draft["version"]!["source"]!.GetValue<string>());
        Assert.Equal("Draft", draft["version"]!["status"]!.GetValue<string>());
        var id = draft["version"]!["id"]!.GetValue<string>();

        var diff = await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/diff?from=default-2026-01&to={id}"), HttpStatusCode.OK);
        var change = Assert.Single(diff["changes"]!.AsArray())!;
        Assert.Equal("* × * × Credit", change["rule"]!.GetValue<string>());
        Assert.Equal("0.00–600000.00: BranchDirector", change["after"]![0]!.GetValue<string>());

        // Exported again, the draft reads back identically: the round trip loses nothing.
        var again = await Loans.ReadAsync(await ImportAsync(await ExportAsync(id)), HttpStatusCode.Created);
        var roundTrip = await Loans.ReadAsync(await _m.Maker.GetAsync($"/api/authority-matrix/diff?from={id}&to={again["version"]!["id"]}"), HttpStatusCode.OK);
        Assert.Empty(roundTrip["changes"]!.AsArray());
    }

    [Fact]
    public async Task A_workbook_without_the_Matrix_sheet_is_refused()
    {
        var renamed = Edit(await ExportAsync("default-2026-01"), (part, _) =>
            part.Workbook.Sheets!.Elements<Sheet>().First(s => s.Name == "Matrix").Name = "Sheet1");
        var problem = await ProblemAsync(await ImportAsync(renamed), HttpStatusCode.BadRequest);
        Assert.Equal("The workbook has no sheet named 'Matrix' (it has: Sheet1, About).", problem["errors"]!["sheet"]![0]!.GetValue<string>());

        var garbage = await ProblemAsync(await ImportAsync("not a zip"u8.ToArray()), HttpStatusCode.BadRequest);
        Assert.True(garbage["errors"]!.AsObject().ContainsKey("body"));
        Assert.Empty(await _m.MineAsync());
    }

    [Fact]
    public async Task Wrong_columns_and_bad_cells_are_named_by_row_and_column()
    {
        var wrongHeader = Edit(await ExportAsync("default-2026-01"), (_, sheet) => SetText(CellAt(sheet, "C1"), "Guarantor"));
        var header = await ProblemAsync(await ImportAsync(wrongHeader), HttpStatusCode.BadRequest);
        Assert.Equal("Row 1, column C: expected header 'Guarantee', found 'Guarantor'.", header["errors"]!["Matrix!C1"]![0]!.GetValue<string>());

        var badCells = Edit(await ExportAsync("default-2026-01"), (_, sheet) =>
        {
            SetText(CellAt(sheet, "E3"), "two million");
            SetText(CellAt(sheet, "F6"), "BranchDirector, Board");
        });
        var cells = await ProblemAsync(await ImportAsync(badCells), HttpStatusCode.BadRequest);
        Assert.Equal("Row 3, column E (UpTo): 'two million' is not a number of yuan.", cells["errors"]!["Matrix!E3"]![0]!.GetValue<string>());

        // Once the cells parse, the matrix rules speak, still by row and column: a gap, and an unknown tier.
        var gap = Edit(await ExportAsync("default-2026-01"), (_, sheet) =>
        {
            SetNumber(CellAt(sheet, "D3"), "550000");
            SetText(CellAt(sheet, "F6"), "BranchDirector, Board");
        });
        var rules = await ProblemAsync(await ImportAsync(gap), HttpStatusCode.BadRequest);
        var errors = rules["errors"]!.AsObject();
        Assert.StartsWith("Row 3, column D (From): Rule * × * × Credit, band 2 starts at 550000.00 but band 1 ends at 500000.00", errors["Matrix!D3"]![0]!.GetValue<string>());
        Assert.Contains("'Board' is not a tier", errors["Matrix!F6"]![0]!.GetValue<string>());
        Assert.Empty(await _m.MineAsync());
    }
}
