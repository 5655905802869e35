using System.Globalization;
using System.Text.RegularExpressions;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Authority;
using CreditFlows.Domain.Common;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace CreditFlows.Functions.Features.Authority;

/// <summary>
/// The authority matrix as an .xlsx workbook HQ edits in Excel or WPS (Open XML SDK): sheet <c>Matrix</c>, header
/// row <c>Branch | Product | Guarantee | From | UpTo | Tiers</c>, then one row per band; consecutive rows with the
/// same branch, product and guarantee form one rule. <c>UpTo</c> is empty on a rule's last band; <c>Tiers</c> is a
/// comma-separated list (<c>BranchDirector, HqCreditDept</c>). Sheet <c>About</c> carries the version, effective
/// date and note for the reader; it is not read back. Problems name the sheet cell (<c>Matrix!D5</c>).
/// </summary>
public static partial class MatrixSpreadsheet
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string SheetName = "Matrix";
    public static readonly string[] Headers = ["Branch", "Product", "Guarantee", "From", "UpTo", "Tiers"];

    public static byte[] Write(SettingsVersion info, AuthorityMatrix matrix)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            workbook.Workbook = new Workbook(new Sheets());
            var rows = new List<string?[]> { Headers };
            foreach (var rule in MatrixDocuments.From(matrix).Rules!)
            {
                rows.AddRange(rule.Bands!.Select(b => new[] { rule.Branch, rule.Product, rule.Guarantee, Number(b.From), Number(b.UpTo), string.Join(", ", b.Tiers!) }));
            }

            AddSheet(workbook, 1, SheetName, rows, numericColumns: [3, 4]);
            AddSheet(workbook, 2, "About",
            [
                ["Version", info.Id], ["Status", info.Status.ToString()], ["EffectiveFrom", info.EffectiveFrom?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)],
                ["Note", info.Note], ["CreatedBy", info.CreatedBy], ["ApprovedBy", info.Status == VersionStatus.Approved ? info.DecidedBy : null],
                ["Help", "Edit sheet Matrix: one row per band; From = the previous band's UpTo; UpTo empty on a rule's last band; an amount equal to UpTo belongs to that band. Tiers: BranchDirector, HqCreditDept, Committee. Import it as a new draft."],
            ], numericColumns: []);
            workbook.Workbook.Save();
        }

        return stream.ToArray();

        static string? Number(Money? money) => money?.Yuan.ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>Reads the Matrix sheet into a document, or answers the problems, each naming its cell.</summary>
    public static (MatrixDocument? Document, IReadOnlyList<FieldProblem> Problems, IReadOnlyList<IReadOnlyList<int>> RowsOfRules) Read(byte[] bytes)
    {
        var problems = new List<FieldProblem>();
        SpreadsheetDocument document;
        try
        {
            document = SpreadsheetDocument.Open(new MemoryStream(bytes), isEditable: false);
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException or ArgumentException)
        {
            problems.Add(new("body", "is not an .xlsx workbook."));
            return (null, problems, []);
        }

        using (document)
        {
            var workbook = document.WorkbookPart;
            var sheets = workbook?.Workbook.Sheets?.Elements<Sheet>().ToList() ?? [];
            var sheet = sheets.FirstOrDefault(s => string.Equals(s.Name?.Value, SheetName, StringComparison.OrdinalIgnoreCase));
            if (workbook is null || sheet?.Id?.Value is not { } partId)
            {
                problems.Add(new("sheet", $"The workbook has no sheet named '{SheetName}' (it has: {string.Join(", ", sheets.Select(s => s.Name?.Value))})."));
                return (null, problems, []);
            }

            var strings = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(i => i.InnerText).ToList() ?? [];
            var rows = ((WorksheetPart)workbook.GetPartById(partId)).Worksheet.Descendants<Row>()
                .Select(r => (Number: (int)(r.RowIndex?.Value ?? 0), Cells: r.Elements<Cell>().ToDictionary(c => ColumnOf(c.CellReference?.Value), c => TextOf(c, strings))))
                .Where(r => r.Cells.Values.Any(v => !string.IsNullOrWhiteSpace(v)))
                .ToList();
            return ReadRows(rows, problems);
        }
    }

    private static (MatrixDocument?, IReadOnlyList<FieldProblem>, IReadOnlyList<IReadOnlyList<int>>) ReadRows(List<(int Number, Dictionary<int, string?> Cells)> rows, List<FieldProblem> problems)
    {
        var header = rows.FirstOrDefault();
        if (header.Number != 1)
        {
            problems.Add(new($"{SheetName}!A1", $"Row 1: the header row is missing: expected {string.Join(" | ", Headers)}."));
            return (null, problems, []);
        }

        for (var c = 0; c < Headers.Length; c++)
        {
            var found = header.Cells.GetValueOrDefault(c)?.Trim();
            if (!string.Equals(found, Headers[c], StringComparison.OrdinalIgnoreCase))
            {
                problems.Add(new(Cell(c, 1), $"Row 1, column {Letter(c)}: expected header '{Headers[c]}', found '{found}'."));
            }
        }

        if (problems.Count > 0)
        {
            return (null, problems, []);
        }

        var rules = new List<(RuleDocument Rule, List<int> Rows)>();
        foreach (var (number, cells) in rows.Skip(1))
        {
            string? Text(int c) => cells.GetValueOrDefault(c)?.Trim() is { Length: > 0 } t ? t : null;
            var from = Amount(Text(3), 3, number, problems);
            var upTo = Amount(Text(4), 4, number, problems);
            var tiers = Text(5)?.Split([',', '，', ';', '→', '>'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() ?? [];
            foreach (var extra in cells.Keys.Where(c => c >= Headers.Length && !string.IsNullOrWhiteSpace(cells[c])))
            {
                problems.Add(new(Cell(extra, number), $"Row {number}, column {Letter(extra)}: the sheet has only columns A-F ({string.Join(", ", Headers)})."));
            }

            var band = new BandDocument(from ?? (Text(3) is null ? null : Money.Zero), upTo, tiers);
            var (branch, product, guarantee) = (Text(0), Text(1), Text(2));
            if (rules.Count > 0 && rules[^1].Rule is var last && Same(last.Branch, branch) && Same(last.Product, product) && Same(last.Guarantee, guarantee))
            {
                rules[^1] = (last with { Bands = [.. last.Bands!, band] }, [.. rules[^1].Rows, number]);
            }
            else
            {
                rules.Add((new RuleDocument(branch, product, guarantee, [band]), [number]));
            }
        }

        return (new MatrixDocument(rules.Select(r => r.Rule).ToList()), problems, rules.Select(r => (IReadOnlyList<int>)r.Rows).ToList());

        static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Turns the validator's field paths (<c>rules[2].bands[1].from</c>) into the cells they came from.</summary>
    public static IReadOnlyList<FieldProblem> ToCells(IReadOnlyList<FieldProblem> problems, IReadOnlyList<IReadOnlyList<int>> rowsOfRules) =>
        problems.Select(p =>
        {
            var match = FieldPath().Match(p.Field);
            if (!match.Success)
            {
                return new FieldProblem(SheetName, p.Problem);
            }

            var rows = rowsOfRules[int.Parse(match.Groups["rule"].Value, CultureInfo.InvariantCulture)];
            var row = match.Groups["band"].Success ? rows[Math.Min(int.Parse(match.Groups["band"].Value, CultureInfo.InvariantCulture), rows.Count - 1)] : rows[0];
            var column = match.Groups["field"].Value switch
            {
                "branch" => 0, "product" => 1, "guarantee" => 2, "from" => 3, "upTo" => 4, "tiers" => 5, _ => 0,
            };
            return new FieldProblem(Cell(column, row), $"Row {row}, column {Letter(column)} ({Headers[column]}): {p.Problem}");
        }).ToList();

    private static Money? Amount(string? text, int column, int row, List<FieldProblem> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            problems.Add(new(Cell(column, row), $"Row {row}, column {Letter(column)} ({Headers[column]}): '{text}' is not a number of yuan."));
            return null;
        }

        // Spreadsheets store numbers as binary floating point: 0.1 + 0.2 may come back as 0.30000000000000004.
        var rounded = decimal.Round(value, 2);
        if (Math.Abs(rounded - value) > 0.000001m)
        {
            problems.Add(new(Cell(column, row), $"Row {row}, column {Letter(column)} ({Headers[column]}): {text} has more than two decimal places."));
            return null;
        }

        return Money.FromYuan(rounded);
    }

    private static void AddSheet(WorkbookPart workbook, uint id, string name, IEnumerable<string?[]> rows, int[] numericColumns)
    {
        var part = workbook.AddNewPart<WorksheetPart>();
        var data = new SheetData();
        var number = 0u;
        foreach (var values in rows)
        {
            number++;
            var row = new Row { RowIndex = number };
            for (var c = 0; c < values.Length; c++)
            {
                if (values[c] is not { } value)
                {
                    continue;
                }

                row.Append(number > 1 && numericColumns.Contains(c)
                    ? new Cell { CellReference = $"{Letter(c)}{number}", DataType = CellValues.Number, CellValue = new CellValue(value) }
                    : new Cell { CellReference = $"{Letter(c)}{number}", DataType = CellValues.InlineString, InlineString = new InlineString(new Text(value)) });
            }

            data.Append(row);
        }

        part.Worksheet = new Worksheet(data);
        workbook.Workbook.Sheets!.Append(new Sheet { Id = workbook.GetIdOfPart(part), SheetId = id, Name = name });
    }

    private static string? TextOf(Cell cell, List<string> strings)
    {
        if (cell.DataType?.Value == CellValues.InlineString)
        {
            return cell.InlineString?.InnerText;
        }

        var raw = cell.CellValue?.Text;
        return cell.DataType?.Value == CellValues.SharedString && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < strings.Count
            ? strings[index]
            : raw;
    }

    private static int ColumnOf(string? reference)
    {
        var column = 0;
        foreach (var ch in reference ?? "A")
        {
            if (!char.IsAsciiLetter(ch))
            {
                break;
            }

            column = (column * 26) + (char.ToUpperInvariant(ch) - 'A' + 1);
        }

        return column - 1;
    }

    private static string Letter(int column) => column < 26 ? ((char)('A' + column)).ToString() : $"{(char)('A' + (column / 26) - 1)}{(char)('A' + (column % 26))}";

    private static string Cell(int column, int row) => $"{SheetName}!{Letter(column)}{row}";

    [GeneratedRegex(@"^rules\[(?<rule>\d+)\](\.bands\[(?<band>\d+)\])?(\.(?<field>[a-zA-Z]+))?")]
    private static partial Regex FieldPath();
}
