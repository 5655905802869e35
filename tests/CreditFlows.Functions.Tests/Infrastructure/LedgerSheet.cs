using CreditFlows.Functions.Features.Reports;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>Reads a report's ledger attachment (.xlsx) back with the Open XML SDK: every row of the ledger sheet, cells by column.</summary>
public static class LedgerSheet
{
    /// <summary>Row 0 is the title, row 1 the headers (<see cref="LedgerFiles.Headers"/>), then one row per loan.</summary>
    public static List<string[]> Rows(byte[] xlsx)
    {
        using var document = SpreadsheetDocument.Open(new MemoryStream(xlsx), isEditable: false);
        var sheet = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == LedgerFiles.SheetName);
        var part = (WorksheetPart)document.WorkbookPart.GetPartById(sheet.Id!);
        return [.. part.Worksheet.Descendants<Row>().Select(r =>
        {
            var cells = new string[LedgerFiles.Headers.Length];
            foreach (var cell in r.Elements<Cell>())
            {
                var column = cell.CellReference!.Value!.TakeWhile(char.IsLetter).Aggregate(0, (n, c) => n * 26 + c - 'A' + 1) - 1;
                cells[column] = cell.DataType?.Value == CellValues.InlineString ? cell.InlineString!.InnerText : cell.CellValue!.Text;
            }

            return cells;
        })];
    }
}
