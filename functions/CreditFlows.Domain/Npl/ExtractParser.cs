using System.IO.Compression;
using System.Text;
using CreditFlows.Domain.Applications;
using CreditFlows.Domain.Identity;

namespace CreditFlows.Domain.Npl;

/// <summary>One row of the extract: a valid loan, or a reject with its row number and reason.</summary>
public readonly record struct ExtractRow(long Row, LoanRecord? Loan, string? LoanId, string? Reason);

/// <summary>The extract as a whole cannot be read (its header lacks a column, or it is empty).</summary>
public sealed class ExtractFormatException(string message) : Exception(message);

/// <summary>
/// Reads the core banking extract for business date <c>asOf</c>: a header row naming the columns (any
/// order; unknown columns ignored), then one loan per row. Each row comes back either as a
/// <see cref="LoanRecord"/> or as a reject naming the row (the header is row 1) and what is wrong: wrong
/// column count, a bad date or amount, a negative balance, an unknown guarantee type, a duplicate loan id.
/// The first of two rows with the same loan id is kept. Streams: memory is one buffer plus the set of ids.
/// </summary>
public sealed class ExtractParser
{
    public const int MaxIdLength = 64;

    private readonly CsvRecordReader _reader;
    private readonly DateOnly _asOf;
    private readonly Dictionary<string, int> _columns = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly StringPool _pool = new();
    private readonly Dictionary<string, BranchId?> _branches = new(StringComparer.Ordinal);
    private int _headerCount;
    private int[] _index = [];

    public ExtractParser(Stream stream, DateOnly asOf, bool gzip = false)
    {
        _reader = new CsvRecordReader(gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream);
        _asOf = asOf;
        ReadHeader();
    }

    public long Rows { get; private set; }

    public long Rejected { get; private set; }

    public IEnumerable<ExtractRow> Read()
    {
        while (_reader.Read())
        {
            Rows++;
            var row = ParseRow();
            if (row.Loan is null)
            {
                Rejected++;
            }

            yield return row;
        }
    }

    private void ReadHeader()
    {
        if (!_reader.Read())
        {
            throw new ExtractFormatException("The extract is empty: it has no header row.");
        }

        if (_reader.Error is { } error)
        {
            throw new ExtractFormatException($"The header row is malformed: {error}.");
        }

        _headerCount = _reader.FieldCount;
        for (var i = 0; i < _reader.FieldCount; i++)
        {
            var name = Encoding.UTF8.GetString(Utf8Fields.Trim(_reader.Field(i))).ToLowerInvariant();
            _columns.TryAdd(name, i);
        }

        var missing = ExtractColumns.All.Where(c => !_columns.ContainsKey(c) && !ExtractColumns.Optional.Contains(c)).ToList();
        if (missing.Count > 0)
        {
            throw new ExtractFormatException($"The header lacks the column(s) {string.Join(", ", missing)}.");
        }

        _index = ExtractColumns.All.Select(c => _columns.TryGetValue(c, out var i) ? i : -1).ToArray();
    }

    private ReadOnlySpan<byte> F(int column) => _index[column] < 0 ? default : _reader.Field(_index[column]);

    private ExtractRow ParseRow()
    {
        var row = _reader.RecordNumber;
        string? loanId = null;
        if (_reader.FieldCount == _headerCount)
        {
            loanId = Encoding.UTF8.GetString(Utf8Fields.Trim(F(0)));
        }

        ExtractRow Reject(string reason) => new(row, null, loanId, reason);

        if (_reader.Error is { } error)
        {
            return Reject($"malformed: {error}");
        }

        if (_reader.FieldCount != _headerCount)
        {
            return Reject($"has {_reader.FieldCount} fields; the header has {_headerCount}");
        }

        if (loanId!.Length is 0 or > MaxIdLength || loanId.Any(c => c is '/' or '\\' or '#' or '?' or '|' || char.IsControl(c)))
        {
            return Reject($"{ExtractColumns.LoanId} must be 1-{MaxIdLength} characters without / \\ # ? | or control characters");
        }

        var branchText = _pool.Get(Utf8Fields.Trim(F(1)));
        if (!_branches.TryGetValue(branchText, out var branch))
        {
            branch = BranchId.TryParse(branchText, out var parsed) && !parsed.IsHeadquarters ? parsed : null;
            _branches[branchText] = branch;
        }

        if (branch is null)
        {
            return Reject($"{ExtractColumns.BranchId} '{branchText}' is not a branch id");
        }

        var officer = _pool.Get(Utf8Fields.Trim(F(2)));
        if (officer.Length is 0 or > 128)
        {
            return Reject($"{ExtractColumns.OfficerId} is required");
        }

        var borrowerId = Encoding.UTF8.GetString(Utf8Fields.Trim(F(3)));
        if (borrowerId.Length is 0 or > 128)
        {
            return Reject($"{ExtractColumns.BorrowerId} is required");
        }

        var borrowerName = Encoding.UTF8.GetString(Utf8Fields.Trim(F(4)));
        var group = _index[5] < 0 ? string.Empty : Encoding.UTF8.GetString(Utf8Fields.Trim(F(5)));
        var product = _pool.Get(Utf8Fields.Trim(F(6)));
        if (!TryGuarantee(Utf8Fields.Trim(F(7)), out var guarantee))
        {
            return Reject($"{ExtractColumns.GuaranteeType} '{Encoding.UTF8.GetString(F(7))}' is not credit, guarantee, mortgage or pledge");
        }

        if (Amount(8, ExtractColumns.Principal, out var principal) is { } p)
        {
            return Reject(p);
        }

        if (Amount(9, ExtractColumns.Balance, out var balance) is { } b)
        {
            return Reject(b);
        }

        if (!Utf8Fields.TryParseDate(F(10), out var disbursed))
        {
            return Reject($"{ExtractColumns.DisbursedOn} is not a date (yyyy-MM-dd)");
        }

        if (!Utf8Fields.TryParseDate(F(11), out var maturity))
        {
            return Reject($"{ExtractColumns.MaturityOn} is not a date (yyyy-MM-dd)");
        }

        if (Since(12, ExtractColumns.PrincipalOverdueSince, out var principalSince) is { } ps)
        {
            return Reject(ps);
        }

        if (Since(13, ExtractColumns.InterestOverdueSince, out var interestSince) is { } @is)
        {
            return Reject(@is);
        }

        if (Amount(14, ExtractColumns.OverduePrincipal, out var overduePrincipal) is { } op)
        {
            return Reject(op);
        }

        if (Amount(15, ExtractColumns.OverdueInterest, out var overdueInterest) is { } oi)
        {
            return Reject(oi);
        }

        if (!Utf8Fields.TryParseBool(F(16), out var restructured))
        {
            return Reject($"{ExtractColumns.Restructured} must be true or false");
        }

        if (!Utf8Fields.TryParseBool(F(17), out var employee))
        {
            return Reject($"{ExtractColumns.EmployeeRelated} must be true or false");
        }

        if (!_seen.Add(loanId))
        {
            return Reject($"duplicate {ExtractColumns.LoanId}: an earlier row has the same loan");
        }

        return new ExtractRow(row, new LoanRecord(loanId, branch.Value, officer, borrowerId, borrowerName, group, product, guarantee,
            principal, balance, disbursed, maturity, principalSince, interestSince, overduePrincipal, overdueInterest, restructured, employee), loanId, null);
    }

    private string? Amount(int column, string name, out long fen) => Utf8Fields.TryParseFen(F(column), out fen) switch
    {
        Utf8Fields.AmountResult.Ok => null,
        Utf8Fields.AmountResult.Negative => $"{name} is negative",
        _ => $"{name} is not an amount in yuan with at most two decimals",
    };

    private string? Since(int column, string name, out DateOnly? date)
    {
        date = null;
        var text = Utf8Fields.Trim(F(column));
        if (text.IsEmpty)
        {
            return null;
        }

        if (!Utf8Fields.TryParseDate(text, out var parsed))
        {
            return $"{name} is not a date (yyyy-MM-dd)";
        }

        if (parsed > _asOf)
        {
            return $"{name} is after the extract's date {_asOf:yyyy-MM-dd}";
        }

        date = parsed;
        return null;
    }

    private static bool TryGuarantee(ReadOnlySpan<byte> text, out GuaranteeType type)
    {
        type = Ascii.EqualsIgnoreCase(text, "credit"u8) ? GuaranteeType.Credit
            : Ascii.EqualsIgnoreCase(text, "guarantee"u8) ? GuaranteeType.Guarantee
            : Ascii.EqualsIgnoreCase(text, "mortgage"u8) ? GuaranteeType.Mortgage
            : Ascii.EqualsIgnoreCase(text, "pledge"u8) ? GuaranteeType.Pledge
            : default;
        return type != default;
    }

    /// <summary>Keeps one string per distinct short value (branches, officers, products) so a million rows share them.</summary>
    private sealed class StringPool
    {
        private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
        private readonly char[] _chars = new char[512];

        public string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.Length > 128)
            {
                return Encoding.UTF8.GetString(utf8);
            }

            var count = Encoding.UTF8.GetChars(utf8, _chars);
            var lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();
            if (lookup.TryGetValue(_chars.AsSpan(0, count), out var existing))
            {
                return existing;
            }

            var text = new string(_chars, 0, count);
            _strings[text] = text;
            return text;
        }
    }
}
