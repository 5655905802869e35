using System.Buffers.Binary;
using System.Text;
using CreditFlows.Domain.Documents;

namespace CreditFlows.Tests.Samples;

/// <summary>
/// Files of each accepted format, of any length, made the way the formats lay out their first and last bytes:
/// a header, filler that never contains 0xFF (so no accidental JPEG marker), and the format's end. As a
/// <see cref="Stream"/> they are generated on the fly, so a 100 MB upload never exists in memory on the client side.
/// </summary>
public static class DocumentSamples
{
    public static byte[] Bytes(FileKind kind, int length)
    {
        using var stream = Stream(kind, length);
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    public static SampleStream Stream(FileKind kind, long length)
    {
        var (header, trailer) = Layout(kind, length);
        return new SampleStream(header, trailer, length);
    }

    /// <summary>A Windows executable (what a renamed "contract.pdf" really is).</summary>
    public static byte[] Executable(int length = 4096)
    {
        var bytes = Filler(length);
        "MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF"u8.ToArray().CopyTo(bytes, 0);
        Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.").CopyTo(bytes, 78);
        return bytes;
    }

    /// <summary>A PDF header followed by garbage: no objects, no trailer.</summary>
    public static byte[] PdfHeaderThenGarbage(int length = 8192)
    {
        var bytes = Filler(length);
        "%PDF-1.7\n"u8.ToArray().CopyTo(bytes, 0);
        return bytes;
    }

    public static byte[] Filler(int length)
    {
        var bytes = new byte[length];
        for (var n = 0; n < length; n++)
        {
            bytes[n] = FillerAt(n);
        }

        return bytes;
    }

    public static byte FillerAt(long position) => (byte)(position * 31 % 251);

    private static (byte[] Header, byte[] Trailer) Layout(FileKind kind, long length)
    {
        switch (kind)
        {
            case FileKind.Pdf:
                return ("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"u8.ToArray(),
                    "\nxref\n0 2\n0000000000 65535 f \ntrailer\n<< /Size 2 /Root 1 0 R >>\nstartxref\n9\n%%EOF\n"u8.ToArray());
            case FileKind.Jpeg:
                return ([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, .. "JFIF"u8, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08],
                    [0xFF, 0xD9]);
            case FileKind.Png:
                return ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, .. "IHDR"u8, 0, 0, 4, 0, 0, 0, 3, 0, 8, 2, 0, 0, 0, 0x12, 0x34, 0x56, 0x78],
                    [0, 0, 0, 0, .. "IEND"u8, 0xAE, 0x42, 0x60, 0x82]);
            case FileKind.Tiff:
            {
                // The image directory at the end, as scanners write it: 2-byte count, one 12-byte entry, 4-byte next offset.
                var ifd = length - 18;
                var header = new byte[8];
                "II*\0"u8.CopyTo(header);
                BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4), (uint)ifd);
                return (header, [1, 0, 0x00, 0x01, 3, 0, 1, 0, 0, 0, 0x00, 0x04, 0, 0, 0, 0, 0, 0]);
            }

            default:
            {
                // ftyp (24) + meta (32) + mdat (the rest): top-level boxes tiling the file.
                var header = new byte[24 + 32 + 8];
                BinaryPrimitives.WriteUInt32BigEndian(header, 24);
                "ftypheic\0\0\0\0mif1heic"u8.CopyTo(header.AsSpan(4));
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(24), 32);
                "meta"u8.CopyTo(header.AsSpan(28));
                BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(56), (uint)(length - 56));
                "mdat"u8.CopyTo(header.AsSpan(60));
                return (header, []);
            }
        }
    }
}

/// <summary>A sample file generated as it is read: header, filler, trailer. Seekable, so HTTP clients send its Content-Length.</summary>
public sealed class SampleStream(byte[] header, byte[] trailer, long length) : Stream
{
    private readonly long _trailerAt = length - trailer.Length;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get; set; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - Position);
        for (var n = 0; n < count; n++)
        {
            var at = Position + n;
            buffer[n] = at < header.Length ? header[at] : at >= _trailerAt ? trailer[at - _trailerAt] : DocumentSamples.FillerAt(at);
        }

        Position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => Position + offset,
        _ => length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
