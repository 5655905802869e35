using System.IO.Compression;
using System.Text;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Npl.Synthetic;

namespace CreditFlows.Domain.Tests;

public class NplExtractTests
{
    private static readonly DateOnly AsOf = new(2026, 11, 22);
    private const string Header = "loan_id,branch_id,officer_id,borrower_id,borrower_name,group_id,product,guarantee_type,principal,balance,disbursed_on,maturity_on,principal_overdue_since,interest_overdue_since,overdue_principal,overdue_interest,restructured,employee_related";

    private static string Row(string id = "L1", string branch = "B01", string name = "张三", string guarantee = "credit", string balance = "1000.50",
        string since = "", string disbursed = "2025-01-10", string restructured = "false") =>
        $"{id},{branch},lo-1,C1,{name},,FMC,{guarantee},2000,{balance},{disbursed},2027-01-10,{since},,0,0,{restructured},false";

    private static List<ExtractRow> Parse(string csv, bool gzip = false)
    {
        var bytes = Encoding.UTF8.GetBytes(csv);
        if (gzip)
        {
            var packed = new MemoryStream();
            using (var z = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
            {
                z.Write(bytes);
            }

            bytes = packed.ToArray();
        }

        return new ExtractParser(new MemoryStream(bytes), AsOf, gzip).Read().ToList();
    }

    [Fact]
    public void Valid_row_is_read_with_amounts_in_fen_and_dates()
    {
        var row = Assert.Single(Parse($"{Header}\n{Row(since: "2026-08-01")}\n"));
        var loan = row.Loan!;
        Assert.Equal(2, row.Row);
        Assert.Equal("L1", loan.LoanId);
        Assert.Equal(100_050, loan.BalanceFen);
        Assert.Equal(200_000, loan.PrincipalFen);
        Assert.Equal(GuaranteeType.Credit, loan.GuaranteeType);
        Assert.Equal(new DateOnly(2026, 8, 1), loan.PrincipalOverdueSince);
        Assert.Equal(113, loan.DaysOverdue(AsOf));
    }

    [Fact]
    public void Columns_in_any_order_and_unknown_columns_are_ignored()
    {
        var columns = ExtractColumns.All.Reverse().Append("branch_manager_note").ToList();
        var loan = new LoanRecord("L7", Identity.BranchId.Parse("B02"), "lo-9", "C7", "欧阳秀英", "G1", "FJG", GuaranteeType.Guarantee, 5_000_000, 4_000_012,
            new DateOnly(2025, 3, 1), new DateOnly(2028, 3, 1), null, new DateOnly(2026, 11, 1), 0, 1234, true, true);
        var stream = new MemoryStream();
        ExtractWriter.Write(stream, [loan], columns);
        var parsed = new ExtractParser(new MemoryStream(stream.ToArray()), AsOf).Read().Single();
        Assert.Equal(loan, parsed.Loan);
    }

    [Fact]
    public void Rfc4180_quoting_commas_quotes_and_line_breaks_inside_fields()
    {
        var csv = $"{Header}\r\n" + Row(name: "\"王,\"\"小\"\"\r\n明\"") + "\r\n" + Row(id: "\"L2\"", name: "李四") + "\r\n";
        var rows = Parse(csv);
        Assert.Equal(2, rows.Count);
        Assert.Equal("王,\"小\"\r\n明", rows[0].Loan!.BorrowerName);
        Assert.Equal("L2", rows[1].Loan!.LoanId);
        Assert.Equal(3, rows[1].Row);
    }

    [Fact]
    public void Chinese_names_survive_gzip_and_a_byte_order_mark()
    {
        var csv = "\uFEFF" + $"{Header}\n{Row(name: "司马建国")}\n{Row(id: "L2", name: "赵桂英")}";
        var rows = Parse(csv, gzip: true);
        Assert.Equal(["司马建国", "赵桂英"], rows.Select(r => r.Loan!.BorrowerName));
    }

    [Theory]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,1000,2025-13-10,2027-01-10,,,0,0,false,false", "disbursed_on is not a date")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,-5,2025-01-10,2027-01-10,,,0,0,false,false", "balance is negative")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,10.123,2025-01-10,2027-01-10,,,0,0,false,false", "balance is not an amount")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,unsecured,2000,1000,2025-01-10,2027-01-10,,,0,0,false,false", "guarantee_type 'unsecured'")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,,,0,0,false", "has 17 fields; the header has 18")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,2026-12-01,,0,0,false,false", "principal_overdue_since is after the extract's date")]
    [InlineData("L1,B01,lo-1,C1,张三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,,,0,0,yes,false", "restructured must be true or false")]
    [InlineData("L1,B 1,lo-1,C1,张三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,,,0,0,false,false", "branch_id 'B 1' is not a branch id")]
    [InlineData("L/1,B01,lo-1,C1,张三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,,,0,0,false,false", "loan_id must be")]
    [InlineData("L1,B01,lo-1,C1,\"张\"三,,FMC,credit,2000,1000,2025-01-10,2027-01-10,,,0,0,false,false", "malformed: text after a closing quote")]
    public void Malformed_row_is_rejected_with_its_row_number_and_reason(string line, string reason)
    {
        var rows = Parse($"{Header}\n{Row(id: "OK1")}\n{line}\n{Row(id: "OK2")}\n");
        Assert.Equal(3, rows.Count);
        var bad = rows[1];
        Assert.Null(bad.Loan);
        Assert.Equal(3, bad.Row);
        Assert.Contains(reason, bad.Reason);
        Assert.NotNull(rows[0].Loan);
        Assert.NotNull(rows[2].Loan);
    }

    [Fact]
    public void Duplicate_loan_id_keeps_the_first_row_and_rejects_the_second()
    {
        var rows = Parse($"{Header}\n{Row(balance: "1")}\n{Row(balance: "2")}\n");
        Assert.Equal(100, rows[0].Loan!.BalanceFen);
        Assert.Contains("duplicate loan_id", rows[1].Reason);
        Assert.Equal("L1", rows[1].LoanId);
    }

    [Fact]
    public void Header_without_a_required_column_rejects_the_file() =>
        Assert.Contains("balance", Assert.Throws<ExtractFormatException>(() => Parse(Header.Replace(",balance", ",bal", StringComparison.Ordinal) + "\n")).Message);

    [Fact]
    public void Blank_lines_are_skipped_and_an_unclosed_quote_is_reported()
    {
        var rows = Parse($"{Header}\n\n{Row()}\n\n{Row(id: "L2", name: "\"open")}");
        Assert.Equal(2, rows.Count);
        Assert.NotNull(rows[0].Loan);
        Assert.Contains("not closed", rows[1].Reason);
    }

    [Fact]
    public void Records_and_snapshots_round_trip_through_the_binary_codec()
    {
        var loans = ExtractGenerator.Generate(new GeneratorOptions(500, AsOf, Branches: 3)).ToList();
        var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            LoanCodec.WriteHeader(w, snapshot: false);
            loans.ForEach(l => LoanCodec.Write(w, l));
            LoanCodec.WriteEnd(w);
        }

        buffer.Position = 0;
        Assert.Equal(loans, LoanCodec.ReadRecords(buffer).ToList());

        var snapshots = DailyClassification.Run(AsOf, "B01", ClassificationPolicy.Default, loans, null, new Dictionary<string, LoanOverride>(),
            l => LendingResponsibility.ExtractOfficer(l.OfficerId)).Snapshot;
        var packed = new MemoryStream();
        using (var z = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        using (var w = new BinaryWriter(z, Encoding.UTF8, leaveOpen: true))
        {
            LoanCodec.WriteHeader(w, snapshot: true);
            snapshots.ForEach(s => LoanCodec.Write(w, s));
            LoanCodec.WriteEnd(w);
        }

        packed.Position = 0;
        using var unpacked = new GZipStream(packed, CompressionMode.Decompress);
        Assert.Equal(snapshots, LoanCodec.ReadSnapshots(unpacked).ToList());
    }

    [Fact]
    public void Generated_extract_parses_back_whole_and_is_deterministic()
    {
        var options = new GeneratorOptions(20_000, AsOf);
        var stream = new MemoryStream();
        ExtractWriter.Write(stream, ExtractGenerator.Generate(options));
        var parsed = new ExtractParser(new MemoryStream(stream.ToArray()), AsOf).Read().ToList();
        Assert.All(parsed, r => Assert.Null(r.Reason));
        Assert.Equal(ExtractGenerator.Generate(options).ToList(), parsed.Select(r => r.Loan!).ToList());

        var loans = parsed.Select(r => r.Loan!).ToList();
        Assert.Equal(12, loans.Select(l => l.Branch).Distinct().Count());
        Assert.True(loans.Count(l => l.Branch.Value == "B01") > loans.Count(l => l.Branch.Value == "B12"), "branches are of uneven size");
        var overdue = loans.Count(l => l.DaysOverdue(AsOf) > 0) / (double)loans.Count;
        var npl = loans.Count(l => ClassificationPolicy.Default.Classify(l.DaysOverdue(AsOf), l.Restructured).IsNpl()) / (double)loans.Count;
        Assert.InRange(overdue, 0.10, 0.14);
        Assert.InRange(npl, 0.06, 0.09);
        Assert.Contains(loans, l => l.BorrowerName.Any(c => c >= '\u4e00'));
    }
}
