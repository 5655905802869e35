using CreditFlows.Domain.Npl;

namespace CreditFlows.Domain.Reports;

/// <summary>
/// Compact binary encoding of <see cref="LedgerLine"/>s: the daily NPL job's per-branch ledger export, which the weekly
/// report reads instead of the ledger table's rows (gzip on the outside). A version byte, then each line preceded by a 1,
/// the end a 0; strings length-prefixed UTF-8 (null as a 0 flag), integers 7-bit encoded, dates as day numbers (-1: none).
/// </summary>
public static class LedgerLineCodec
{
    private const byte Version = 1;

    public static void Write(Stream stream, IEnumerable<LedgerLine> lines)
    {
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Version);
        foreach (var l in lines)
        {
            w.Write((byte)1);
            w.Write(l.LoanId);
            w.Write(l.Branch);
            w.Write(l.OfficerId);
            w.Write(l.BorrowerId);
            w.Write(l.BorrowerName);
            w.Write(l.Product);
            w.Write(l.GuaranteeType);
            w.Write7BitEncodedInt64(l.BalanceFen);
            w.Write7BitEncodedInt64(l.OverdueAmountFen);
            w.Write((byte)l.Category);
            w.Write((byte)((l.InNpl ? 1 : 0) | (l.LeftBook ? 2 : 0)));
            WriteDate(w, l.OverdueSince);
            WriteDate(w, l.FirstNplOn);
            WriteDate(w, l.CuredOn);
            w.Write7BitEncodedInt(l.Responsible.Count);
            foreach (var p in l.Responsible)
            {
                w.Write(p.UserId);
                w.Write(p.Name);
                w.Write(p.Duty);
                w.Write(p.SharePercent);
            }

            WriteOptional(w, l.CollectionOfficerId);
            w.Write((byte)(l.Recoverability is { } r ? (int)r : 0));
            WriteDate(w, l.LastInspectionOn);
            w.Write((byte)l.Litigation);
        }

        w.Write((byte)0);
    }

    public static List<LedgerLine> Read(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        var version = r.ReadByte();
        if (version != Version)
        {
            throw new InvalidDataException($"Unknown ledger export version {version}; expected {Version}.");
        }

        var lines = new List<LedgerLine>();
        while (r.ReadByte() == 1)
        {
            var loanId = r.ReadString();
            var branch = string.Intern(r.ReadString());
            var officer = string.Intern(r.ReadString());
            var borrowerId = r.ReadString();
            var borrowerName = r.ReadString();
            var product = string.Intern(r.ReadString());
            var guarantee = string.Intern(r.ReadString());
            var balance = r.Read7BitEncodedInt64();
            var overdue = r.Read7BitEncodedInt64();
            var category = (LoanCategory)r.ReadByte();
            var flags = r.ReadByte();
            var overdueSince = ReadDate(r);
            var firstNpl = ReadDate(r);
            var cured = ReadDate(r);
            var people = new ResponsibleShare[r.Read7BitEncodedInt()];
            for (var i = 0; i < people.Length; i++)
            {
                people[i] = new ResponsibleShare(r.ReadString(), r.ReadString(), r.ReadString(), r.ReadDecimal());
            }

            var collector = r.ReadBoolean() ? r.ReadString() : null;
            var recoverability = r.ReadByte() is var rc and > 0 ? (Recoverability?)rc : null;
            var inspected = ReadDate(r);
            var litigation = (LitigationStatus)r.ReadByte();
            lines.Add(new LedgerLine(loanId, branch, officer, borrowerId, borrowerName, product, guarantee, balance, overdue, category,
                (flags & 1) != 0, overdueSince, firstNpl, cured, (flags & 2) != 0, people, collector, recoverability, inspected, litigation));
        }

        return lines;
    }

    private static void WriteOptional(BinaryWriter w, string? text)
    {
        w.Write(text is not null);
        if (text is not null)
        {
            w.Write(text);
        }
    }

    private static void WriteDate(BinaryWriter w, DateOnly? date) => w.Write7BitEncodedInt(date?.DayNumber ?? -1);

    private static DateOnly? ReadDate(BinaryReader r) => r.Read7BitEncodedInt() is var n and >= 0 ? DateOnly.FromDayNumber(n) : null;
}
