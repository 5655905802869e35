using CreditFlows.Domain.Applications;

namespace CreditFlows.Domain.Npl;

/// <summary>
/// A loan's state at the end of one business day, as the daily job left it: what tomorrow diffs against and
/// what reports read. One per loan in the branch snapshot blob.
/// </summary>
public sealed record LoanSnapshot(
    string LoanId,
    string OfficerId,
    string BorrowerId,
    string BorrowerName,
    string GroupId,
    string Product,
    GuaranteeType GuaranteeType,
    long BalanceFen,
    long OverdueAmountFen,
    DateOnly? OverdueSince,
    int DaysOverdue,
    bool Restructured,
    LoanCategory RuleCategory,
    LoanCategory Category,
    DateOnly? FirstNplOn);

/// <summary>
/// Compact binary encoding of extract rows and snapshots (the job's staging and snapshot blobs, gzip on the
/// outside): length-prefixed UTF-8 strings, 7-bit encoded integers, dates as day numbers (-1 for none).
/// </summary>
public static class LoanCodec
{
    public const byte RecordVersion = 1;
    private const byte SnapshotVersion = 1;

    public static void WriteHeader(BinaryWriter writer, bool snapshot) => writer.Write(snapshot ? SnapshotVersion : RecordVersion);

    /// <summary>Closes a stream of entries: every entry is preceded by a 1, the end is a 0.</summary>
    public static void WriteEnd(BinaryWriter writer) => writer.Write((byte)0);

    public static void Write(BinaryWriter w, LoanRecord r)
    {
        w.Write((byte)1);
        w.Write(r.LoanId);
        w.Write(r.Branch.Value);
        w.Write(r.OfficerId);
        w.Write(r.BorrowerId);
        w.Write(r.BorrowerName);
        w.Write(r.GroupId);
        w.Write(r.Product);
        w.Write((byte)r.GuaranteeType);
        w.Write7BitEncodedInt64(r.PrincipalFen);
        w.Write7BitEncodedInt64(r.BalanceFen);
        w.Write7BitEncodedInt(r.DisbursedOn.DayNumber);
        w.Write7BitEncodedInt(r.MaturityOn.DayNumber);
        WriteDate(w, r.PrincipalOverdueSince);
        WriteDate(w, r.InterestOverdueSince);
        w.Write7BitEncodedInt64(r.OverduePrincipalFen);
        w.Write7BitEncodedInt64(r.OverdueInterestFen);
        w.Write((byte)((r.Restructured ? 1 : 0) | (r.EmployeeRelated ? 2 : 0)));
    }

    public static IEnumerable<LoanRecord> ReadRecords(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (!TryReadVersion(r, RecordVersion))
        {
            yield break;
        }

        var branches = new Dictionary<string, Identity.BranchId>(StringComparer.Ordinal);
        while (r.ReadByte() == 1)
        {
            var loanId = r.ReadString();
            var branchText = r.ReadString();
            if (!branches.TryGetValue(branchText, out var branch))
            {
                branches[branchText] = branch = Identity.BranchId.Parse(branchText);
            }

            var officer = string.Intern(r.ReadString());
            var borrowerId = r.ReadString();
            var borrowerName = r.ReadString();
            var group = r.ReadString();
            var product = string.Intern(r.ReadString());
            var guarantee = (GuaranteeType)r.ReadByte();
            var principal = r.Read7BitEncodedInt64();
            var balance = r.Read7BitEncodedInt64();
            var disbursed = DateOnly.FromDayNumber(r.Read7BitEncodedInt());
            var maturity = DateOnly.FromDayNumber(r.Read7BitEncodedInt());
            var ps = ReadDate(r);
            var @is = ReadDate(r);
            var op = r.Read7BitEncodedInt64();
            var oi = r.Read7BitEncodedInt64();
            var flags = r.ReadByte();
            yield return new LoanRecord(loanId, branch, officer, borrowerId, borrowerName, group, product, guarantee, principal, balance,
                disbursed, maturity, ps, @is, op, oi, (flags & 1) != 0, (flags & 2) != 0);
        }
    }

    public static void Write(BinaryWriter w, LoanSnapshot s)
    {
        w.Write((byte)1);
        w.Write(s.LoanId);
        w.Write(s.OfficerId);
        w.Write(s.BorrowerId);
        w.Write(s.BorrowerName);
        w.Write(s.GroupId);
        w.Write(s.Product);
        w.Write((byte)s.GuaranteeType);
        w.Write7BitEncodedInt64(s.BalanceFen);
        w.Write7BitEncodedInt64(s.OverdueAmountFen);
        WriteDate(w, s.OverdueSince);
        w.Write7BitEncodedInt(s.DaysOverdue);
        w.Write(s.Restructured);
        w.Write((byte)s.RuleCategory);
        w.Write((byte)s.Category);
        WriteDate(w, s.FirstNplOn);
    }

    public static IEnumerable<LoanSnapshot> ReadSnapshots(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (!TryReadVersion(r, SnapshotVersion))
        {
            yield break;
        }

        while (r.ReadByte() == 1)
        {
            yield return new LoanSnapshot(
                r.ReadString(), string.Intern(r.ReadString()), r.ReadString(), r.ReadString(), r.ReadString(), string.Intern(r.ReadString()),
                (GuaranteeType)r.ReadByte(), r.Read7BitEncodedInt64(), r.Read7BitEncodedInt64(), ReadDate(r), r.Read7BitEncodedInt(),
                r.ReadBoolean(), (LoanCategory)r.ReadByte(), (LoanCategory)r.ReadByte(), ReadDate(r));
        }
    }

    private static bool TryReadVersion(BinaryReader r, byte expected)
    {
        int version;
        try
        {
            version = r.ReadByte();
        }
        catch (EndOfStreamException)
        {
            return false;
        }

        return version == expected ? true : throw new InvalidDataException($"Unknown encoding version {version}; expected {expected}.");
    }

    private static void WriteDate(BinaryWriter w, DateOnly? date) => w.Write7BitEncodedInt(date?.DayNumber ?? -1);

    private static DateOnly? ReadDate(BinaryReader r)
    {
        var n = r.Read7BitEncodedInt();
        return n < 0 ? null : DateOnly.FromDayNumber(n);
    }
}
