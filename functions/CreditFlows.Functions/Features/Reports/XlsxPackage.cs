using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// A one-sheet .xlsx written as a plain ZIP: the parts the Open XML SDK wrote for the ledger ([Content_Types].xml, the
/// package and workbook relationships, the workbook naming the sheet, the sheet), the sheet deflated as it is written.
/// The SDK's package (System.IO.Packaging) kept the whole sheet uncompressed in memory until it was closed (73 MB for the
/// union's ledger, large-object-heap churn and full garbage collections) and offered only zlib levels 1 and 6; here the
/// level is the caller's. Only deflate and plain headers (no data descriptors, no ZIP64): what every ZIP reader reads. The
/// tests open the result with the Open XML SDK and its validator.
/// </summary>
internal static class XlsxPackage
{
    private const string Xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

    private static readonly (string Name, byte[] Bytes)[] Parts =
    [
        ("[Content_Types].xml", Utf8(Xml + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" +
            "<Default Extension=\"xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\" />" +
            "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\" />" +
            "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\" /></Types>")),
        ("_rels/.rels", Utf8(Xml + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
            "<Relationship Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"/xl/workbook.xml\" Id=\"rId1\" /></Relationships>")),
        ("xl/_rels/workbook.xml.rels", Utf8(Xml + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" +
            "<Relationship Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/sheet1.xml\" Id=\"rId1\" /></Relationships>")),
        ("xl/workbook.xml", Utf8(Xml + "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><x:sheets>" +
            $"<x:sheet name=\"{LedgerFiles.SheetName}\" sheetId=\"1\" r:id=\"rId1\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" /></x:sheets></x:workbook>")),
    ];

    private const string SheetPart = "xl/worksheets/sheet1.xml";

    /// <summary>The package; <paramref name="writeSheet"/> writes the sheet's XML, deflated at zlib <paramref name="level"/> (1-9).</summary>
    public static byte[] Write(Action<Stream> writeSheet, int level, int sizeHint = 0)
    {
        using var zip = new MemoryStream(sizeHint > 0 ? sizeHint : 16 * 1024);
        var entries = new List<(string Name, long Offset, uint Crc, long Compressed, long Size)>();
        foreach (var (name, bytes) in Parts)
        {
            entries.Add(Entry(zip, name, level, stream => stream.Write(bytes)));
        }

        entries.Add(Entry(zip, SheetPart, level, writeSheet));
        var directory = zip.Position;
        foreach (var e in entries)
        {
            Header(zip, central: true, e.Name, e.Crc, e.Compressed, e.Size, e.Offset);
        }

        Span<byte> end = stackalloc byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054B50);
        BinaryPrimitives.WriteUInt16LittleEndian(end[8..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end[10..], (ushort)entries.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end[12..], Checked(zip.Position - directory));
        BinaryPrimitives.WriteUInt32LittleEndian(end[16..], Checked(directory));
        zip.Write(end);
        return zip.ToArray();
    }

    /// <summary>A local header with the sizes left zero, the deflated data, then the header's CRC and sizes filled in.</summary>
    private static (string, long, uint, long, long) Entry(MemoryStream zip, string name, int level, Action<Stream> write)
    {
        var offset = zip.Position;
        Header(zip, central: false, name, 0, 0, 0, 0);
        var start = zip.Position;
        var data = new CrcStream();
        using (var deflate = new DeflateStream(zip, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen: true))
        {
            data.Inner = deflate;
            write(data);
        }

        var compressed = zip.Position - start;
        var header = zip.GetBuffer().AsSpan((int)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(header[14..], data.Crc.GetCurrentHashAsUInt32());
        BinaryPrimitives.WriteUInt32LittleEndian(header[18..], Checked(compressed));
        BinaryPrimitives.WriteUInt32LittleEndian(header[22..], Checked(data.Length));
        return (name, offset, data.Crc.GetCurrentHashAsUInt32(), compressed, data.Length);
    }

    /// <summary>A local file header (30 bytes + name) or a central directory one (46 bytes + name): version 2.0, deflate, 1980-01-01 00:00.</summary>
    private static void Header(Stream zip, bool central, string name, uint crc, long compressed, long size, long offset)
    {
        var fixedLength = central ? 46 : 30;
        Span<byte> h = stackalloc byte[fixedLength];
        h.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(h, central ? 0x02014B50u : 0x04034B50u);
        var at = 4;
        if (central)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(h[at..], 20); // made by: MS-DOS, 2.0
            at += 2;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(h[at..], 20); // needed to extract: 2.0 (deflate)
        BinaryPrimitives.WriteUInt16LittleEndian(h[(at + 4)..], 8); // deflate; flags (at + 2) are 0
        BinaryPrimitives.WriteUInt16LittleEndian(h[(at + 8)..], (1 << 5) | 1); // date: 1980-01-01; time (at + 6) 00:00
        BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 10)..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 14)..], Checked(compressed));
        BinaryPrimitives.WriteUInt32LittleEndian(h[(at + 18)..], Checked(size));
        BinaryPrimitives.WriteUInt16LittleEndian(h[(at + 22)..], (ushort)name.Length);
        if (central)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(h[42..], Checked(offset)); // extra, comment, disk, attributes: 0
        }

        zip.Write(h);
        zip.Write(Encoding.ASCII.GetBytes(name));
    }

    private static uint Checked(long value) =>
        value is >= 0 and <= uint.MaxValue ? (uint)value : throw new InvalidOperationException("The ledger's sheet is too large for a ZIP without ZIP64 (4 GB).");

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Passes the bytes on to the deflater, counting them and their CRC-32.</summary>
    private sealed class CrcStream : Stream
    {
        public Stream Inner { get; set; } = Null;

        public Crc32 Crc { get; } = new();

        public override long Length => _length;

        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Crc.Append(buffer);
            _length += buffer.Length;
            Inner.Write(buffer);
        }

        public override void Flush() => Inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
