using System.Buffers.Binary;

namespace CreditFlows.Domain.Documents;

public enum ContentVerdict
{
    /// <summary>Not enough bytes yet to tell.</summary>
    Undecided = 0,
    Accepted = 1,

    /// <summary>Zero bytes.</summary>
    Empty = 2,

    /// <summary>Not a PDF, JPEG, PNG, TIFF or HEIC file (a renamed executable, a Word file, text).</summary>
    NotAccepted = 3,

    /// <summary>Starts like an accepted format but is cut short or broken (no end marker, structure past the end).</summary>
    Damaged = 4,
}

public sealed record Inspection(ContentVerdict Verdict, FileKind? Kind, string Detail);

/// <summary>
/// Judges a file by its bytes as they stream past, holding only a few kilobytes: the leading bytes say which
/// format it is (magic numbers, never the name or declared type), and at the end a format-specific check finds
/// files that are cut short or are only a header followed by something else: a PDF must end with its
/// <c>startxref</c> … <c>%%EOF</c> trailer, a JPEG with its end-of-image marker, a PNG with its IEND chunk, a
/// TIFF's first directory must lie inside the file, and an HEIC's top-level boxes must tile the file exactly.
/// </summary>
public sealed class ContentInspector
{
    /// <summary>Bytes needed to identify every accepted format.</summary>
    public const int HeaderLength = 32;

    private const int TailLength = 4096;
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] PngEnd = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
    private static readonly byte[] PdfEof = "%%EOF"u8.ToArray();
    private static readonly byte[] PdfStartXref = "startxref"u8.ToArray();
    private static readonly byte[] JpegEnd = [0xFF, 0xD9];
    private static readonly string[] HeicBrands = ["heic", "heix", "heim", "heis", "hevc", "hevx"];

    private readonly byte[] _header = new byte[HeaderLength];
    private readonly byte[] _tail = new byte[TailLength];
    private readonly byte[] _boxHead = new byte[16];
    private int _headerCount;
    private int _tailCount;
    private long _boxStart;
    private int _boxHeadCount;
    private bool _boxesToEnd;
    private bool _boxesBroken;

    public long Length { get; private set; }

    /// <summary>The format, once <see cref="Identify"/> has seen enough bytes to accept them.</summary>
    public FileKind? Kind { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_headerCount < HeaderLength)
        {
            var take = Math.Min(HeaderLength - _headerCount, data.Length);
            data[..take].CopyTo(_header.AsSpan(_headerCount));
            _headerCount += take;
        }

        WalkBoxes(data, Length);
        KeepTail(data);
        Length += data.Length;
    }

    /// <summary>
    /// What the leading bytes say: <see cref="ContentVerdict.Undecided"/> until <see cref="HeaderLength"/> bytes
    /// have arrived (call <see cref="Finish"/> for shorter files), then Accepted or NotAccepted.
    /// </summary>
    public Inspection Identify()
    {
        if (Kind is { } known)
        {
            return new(ContentVerdict.Accepted, known, $"{known} by content");
        }

        if (_headerCount < HeaderLength)
        {
            return new(ContentVerdict.Undecided, null, "");
        }

        return Sniff(_header);
    }

    /// <summary>The verdict on the whole file, once the last byte has been appended.</summary>
    public Inspection Finish()
    {
        if (Length == 0)
        {
            return new(ContentVerdict.Empty, null, "The file is empty (0 bytes).");
        }

        var sniffed = Sniff(_header.AsSpan(0, _headerCount));
        if (sniffed.Verdict != ContentVerdict.Accepted)
        {
            return sniffed;
        }

        var kind = sniffed.Kind!.Value;
        var tail = _tail.AsSpan(0, _tailCount);
        string? damage = kind switch
        {
            FileKind.Pdf when tail.IndexOf(PdfEof) < 0 || tail.IndexOf(PdfStartXref) < 0 =>
                "starts like a PDF but has no startxref/%%EOF trailer at its end: it is truncated or not a PDF.",
            FileKind.Jpeg when tail.LastIndexOf(JpegEnd) < 0 =>
                "starts like a JPEG but has no end-of-image marker near its end: it is truncated or damaged.",
            FileKind.Png when tail.LastIndexOf(PngEnd) < 0 =>
                "starts like a PNG but has no IEND chunk at its end: it is truncated or damaged.",
            FileKind.Tiff when TiffDirectoryOffset() is var ifd && (ifd < 8 || ifd + 2 > Length) =>
                "starts like a TIFF but its image directory lies outside the file: it is truncated or damaged.",
            FileKind.Heic when _boxesBroken || (!_boxesToEnd && _boxStart != Length) =>
                "starts like an HEIC image but its boxes do not fit the file: it is truncated or damaged.",
            _ => null,
        };
        return damage is null
            ? new(ContentVerdict.Accepted, kind, $"{kind}, {Length} bytes")
            : new(ContentVerdict.Damaged, kind, $"The file {damage}");
    }

    private Inspection Sniff(ReadOnlySpan<byte> h)
    {
        FileKind? kind =
            h.Length >= 8 && h.StartsWith("%PDF-"u8) && h[5] is (byte)'1' or (byte)'2' && h[6] == '.' ? FileKind.Pdf
            : h.Length >= 4 && h[0] == 0xFF && h[1] == 0xD8 && h[2] == 0xFF && h[3] >= 0xC0 ? FileKind.Jpeg
            : h.Length >= 16 && h.StartsWith(PngSignature) && h[12..16].SequenceEqual("IHDR"u8) ? FileKind.Png
            : h.Length >= 8 && (h.StartsWith("II*\0"u8) || h.StartsWith("MM\0*"u8)) ? FileKind.Tiff
            : IsHeic(h) ? FileKind.Heic
            : null;
        if (kind is null)
        {
            return new(ContentVerdict.NotAccepted, null,
                "The file's content is not PDF, JPEG, PNG, TIFF or HEIC (judged by its leading bytes, whatever its name or declared type).");
        }

        Kind = kind;
        return new(ContentVerdict.Accepted, kind, $"{kind} by content");
    }

    /// <summary>ISO base media: an <c>ftyp</c> box first whose major brand, or a compatible brand for the generic <c>mif1</c>/<c>msf1</c>, is HEVC-coded HEIF.</summary>
    private static bool IsHeic(ReadOnlySpan<byte> h)
    {
        if (h.Length < 16 || !h[4..8].SequenceEqual("ftyp"u8))
        {
            return false;
        }

        var major = System.Text.Encoding.ASCII.GetString(h[8..12]);
        if (HeicBrands.Contains(major))
        {
            return true;
        }

        if (major is not ("mif1" or "msf1"))
        {
            return false;
        }

        var boxEnd = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(h), (uint)h.Length);
        for (var at = 16; at + 4 <= boxEnd; at += 4)
        {
            if (HeicBrands.Contains(System.Text.Encoding.ASCII.GetString(h[at..(at + 4)])))
            {
                return true;
            }
        }

        return false;
    }

    private long TiffDirectoryOffset() => _headerCount < 8 ? -1
        : _header[0] == 'I' ? BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(4)) : BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));

    private void KeepTail(ReadOnlySpan<byte> data)
    {
        if (data.Length >= TailLength)
        {
            data[^TailLength..].CopyTo(_tail);
            _tailCount = TailLength;
            return;
        }

        var keep = Math.Min(_tailCount, TailLength - data.Length);
        _tail.AsSpan(_tailCount - keep, keep).CopyTo(_tail);
        data.CopyTo(_tail.AsSpan(keep));
        _tailCount = keep + data.Length;
    }

    /// <summary>Follows ISO base media top-level boxes (size, type; size 1 = 64-bit size follows; 0 = to the end) as bytes pass.</summary>
    private void WalkBoxes(ReadOnlySpan<byte> data, long position)
    {
        var end = position + data.Length;
        while (!_boxesToEnd && !_boxesBroken && _boxStart + _boxHeadCount < end)
        {
            var from = _boxStart + _boxHeadCount;
            var need = (_boxHeadCount < 8 ? 8 : 16) - _boxHeadCount;
            var offset = (int)(from - position);
            var take = Math.Min(need, data.Length - offset);
            data.Slice(offset, take).CopyTo(_boxHead.AsSpan(_boxHeadCount));
            _boxHeadCount += take;
            if (_boxHeadCount < 8)
            {
                return;
            }

            var size32 = BinaryPrimitives.ReadUInt32BigEndian(_boxHead);
            long size;
            if (size32 == 0)
            {
                _boxesToEnd = true;
                return;
            }

            if (size32 == 1)
            {
                if (_boxHeadCount < 16)
                {
                    continue;
                }

                var large = BinaryPrimitives.ReadUInt64BigEndian(_boxHead.AsSpan(8));
                size = large > long.MaxValue / 2 ? -1 : (long)large;
                _boxesBroken = size < 16;
            }
            else
            {
                size = size32;
                _boxesBroken = size < 8;
            }

            if (_boxesBroken)
            {
                return;
            }

            _boxStart += size;
            _boxHeadCount = 0;
        }
    }
}
