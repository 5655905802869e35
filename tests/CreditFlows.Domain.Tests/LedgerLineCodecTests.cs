using System.Text.Json;
using CreditFlows.Domain.Npl;
using CreditFlows.Domain.Reports;

namespace CreditFlows.Domain.Tests;

public sealed class LedgerLineCodecTests
{
    [Fact]
    public void A_ledger_export_reads_back_every_field_of_every_line()
    {
        LedgerLine[] lines =
        [
            new("L-0001", "B01", "lo-b01", "C-1", "欧阳秀英", "FMC", "Mortgage", 6_000_000, 6_000_000, LoanCategory.Doubtful, true,
                new DateOnly(2026, 2, 20), new DateOnly(2026, 5, 21), null, false,
                [new ResponsibleShare("lo-b01", "王强", "investigation", 50m), new ResponsibleShare("dir-b01", "李娜, \"主任\"", "approval", 33.33m)],
                "lo-b01-07", Recoverability.RecoverableWithEffort, new DateOnly(2026, 11, 2), LitigationStatus.Filed),
            new("L-0002", "B01", "lo-b01", "C-2", "张伟", "PBL", "Credit", 0, 0, LoanCategory.Normal, false,
                null, null, new DateOnly(2026, 11, 18), true, [], null, null, null, LitigationStatus.None),
            new("L-0003", "B02", string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, long.MaxValue, 1, LoanCategory.Loss, true,
                DateOnly.MinValue, DateOnly.MaxValue, null, false, [new ResponsibleShare("x", string.Empty, string.Empty, 100m)],
                string.Empty, Recoverability.TemporarilyUnrecoverable, null, LitigationStatus.Closed),
        ];

        using var stream = new MemoryStream();
        LedgerLineCodec.Write(stream, lines);
        stream.Position = 0;
        var read = LedgerLineCodec.Read(stream);

        Assert.Equal(lines.Select(l => JsonSerializer.Serialize(l)), read.Select(l => JsonSerializer.Serialize(l)));
        Assert.Equal(stream.Length, stream.Position); // nothing left over: the end marker was the last byte
    }

    [Fact]
    public void An_empty_export_reads_as_no_lines_and_an_unknown_version_is_refused()
    {
        using var stream = new MemoryStream();
        LedgerLineCodec.Write(stream, []);
        stream.Position = 0;
        Assert.Empty(LedgerLineCodec.Read(stream));

        Assert.Throws<InvalidDataException>(() => LedgerLineCodec.Read(new MemoryStream([9, 0])));
    }
}
