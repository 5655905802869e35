using System.Buffers;
using System.Globalization;
using System.Text;

namespace CreditFlows.Functions.Features.Reports;

/// <summary>
/// The ledger files' bytes, written by hand instead of through XmlWriter and StreamWriter (they cost more than the
/// deflate at 78k lines). Cell text is escaped for XML as XmlWriter escaped it: &amp; &lt; &gt;, CR LF and a lone CR as
/// LF (what any XML reader reads back anyway), characters XML 1.0 cannot hold refused with <see cref="ArgumentException"/>.
/// For the .csv: RFC 4180 quoting, and a cell starting with = + - @ that is not a number gets a ' first, so a spreadsheet
/// does not run it as a formula. Tests compare both files with the writers they replace (LedgerFilesBefore).
/// </summary>
internal static class LedgerEncoding
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>Each cell's XML text one after another, then the .csv line; ends[c] is where cell c's XML text ends.</summary>
    public static (byte[] Bytes, int[] Ends) Encode(IReadOnlyList<string?> cells)
    {
        var buffer = t_buffer ??= new byte[4096];
        var ends = new int[cells.Count];
        var verbatim = 0UL; // bit c: cell c's XML bytes are its text as it is
        var at = 0;
        for (var c = 0; c < cells.Count; c++)
        {
            at = Xml(cells[c], ref buffer, at, out var same);
            ends[c] = at;
            verbatim |= same && c < 64 ? 1UL << c : 0;
        }

        for (var c = 0; c < cells.Count; c++)
        {
            if (c > 0)
            {
                Ensure(ref buffer, at, 1);
                buffer[at++] = (byte)',';
            }

            var start = c == 0 ? 0 : ends[c - 1];
            at = Csv(cells[c], buffer.AsSpan(start, ends[c] - start), c < 64 && (verbatim & (1UL << c)) != 0, ref buffer, at);
        }

        Ensure(ref buffer, at, 2);
        buffer[at++] = (byte)'\r';
        buffer[at++] = (byte)'\n';
        t_buffer = buffer;
        return (buffer.AsSpan(0, at).ToArray(), ends);
    }

    /// <summary>The sheet's XML: the title's row, the headers' row, then a row per ledger row, Balance and OverdueAmount as numbers.</summary>
    public static void WriteSheet(Stream part, LedgerRow title, LedgerRow headers, IReadOnlyList<LedgerRow> rows)
    {
        var output = new Output(part);
        try
        {
            output.Put("<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"u8);
            Row(output, 1, title, numbers: false);
            Row(output, 2, headers, numbers: false);
            for (var i = 0; i < rows.Count; i++)
            {
                Row(output, i + 3, rows[i], numbers: true);
            }

            output.Reserve(32);
            output.Put("</sheetData></worksheet>"u8);
            output.Flush();
        }
        finally
        {
            output.Return();
        }
    }

    private static void Row(Output output, int number, LedgerRow row, bool numbers)
    {
        Span<byte> digits = stackalloc byte[12];
        number.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        digits = digits[..length];
        output.Reserve(row.Size + row.Count * (40 + length) + 32);
        output.Put("<row r=\""u8);
        output.Put(digits);
        output.Put("\">"u8);
        for (var c = 0; c < row.Count; c++)
        {
            var text = row.Xml(c);
            if (text.IsEmpty)
            {
                continue;
            }

            output.Put("<c r=\""u8);
            if (c >= 26)
            {
                output.Put((byte)('A' + c / 26 - 1));
            }

            output.Put((byte)('A' + c % 26));
            output.Put(digits);
            if (numbers && c is 9 or 10)
            {
                output.Put("\" t=\"n\"><v>"u8);
                output.Put(text);
                output.Put("</v></c>"u8);
            }
            else
            {
                output.Put("\" t=\"inlineStr\"><is><t>"u8);
                output.Put(text);
                output.Put("</t></is></c>"u8);
            }
        }

        output.Put("</row>"u8);
    }

    /// <summary>Appends the text escaped for XML, in UTF-8; <paramref name="verbatim"/>: nothing needed escaping, the bytes are the text's UTF-8.</summary>
    private static int Xml(string? text, ref byte[] buffer, int at, out bool verbatim)
    {
        verbatim = true;
        if (string.IsNullOrEmpty(text))
        {
            return at;
        }

        Ensure(ref buffer, at, text.Length * 5);
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (ch < 0x80)
            {
                if (ch >= ' ' ? ch is not ('&' or '<' or '>') : ch is '\t' or '\n')
                {
                    buffer[at++] = (byte)ch;
                    continue;
                }

                verbatim = false;
                switch (ch)
                {
                    case '&':
                        at += Put("&amp;"u8, buffer, at);
                        break;
                    case '<':
                        at += Put("&lt;"u8, buffer, at);
                        break;
                    case '>':
                        at += Put("&gt;"u8, buffer, at);
                        break;
                    case '\r':
                        buffer[at++] = (byte)'\n';
                        i += i + 1 < text.Length && text[i + 1] == '\n' ? 1 : 0;
                        break;
                    default:
                        throw Invalid(ch, text);
                }
            }
            else if (ch < 0x800)
            {
                buffer[at++] = (byte)(0xC0 | (ch >> 6));
                buffer[at++] = (byte)(0x80 | (ch & 0x3F));
            }
            else if (ch is < '\uD800' or (> '\uDFFF' and < '\uFFFE'))
            {
                buffer[at++] = (byte)(0xE0 | (ch >> 12));
                buffer[at++] = (byte)(0x80 | ((ch >> 6) & 0x3F));
                buffer[at++] = (byte)(0x80 | (ch & 0x3F));
            }
            else if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                var code = char.ConvertToUtf32(ch, text[++i]);
                buffer[at++] = (byte)(0xF0 | (code >> 18));
                buffer[at++] = (byte)(0x80 | ((code >> 12) & 0x3F));
                buffer[at++] = (byte)(0x80 | ((code >> 6) & 0x3F));
                buffer[at++] = (byte)(0x80 | (code & 0x3F));
            }
            else
            {
                throw Invalid(ch, text);
            }
        }

        return at;
    }

    private static ArgumentException Invalid(char ch, string text) =>
        new($"A ledger cell holds a character XML cannot hold (0x{(int)ch:X4}): \"{text}\".");

    /// <summary>Appends the .csv field; <paramref name="xml"/> is the cell's XML bytes, copied when they are the text as it is.</summary>
    private static int Csv(string? value, ReadOnlySpan<byte> xml, bool verbatim, ref byte[] buffer, int at)
    {
        var text = value ?? string.Empty;
        var formula = text.Length > 0 && text[0] is '=' or '+' or '-' or '@' && !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out _);
        var quote = text.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        Ensure(ref buffer, at, text.Length * 6 + 4);
        if (verbatim && !formula && !quote)
        {
            xml.CopyTo(buffer.AsSpan(at));
            return at + xml.Length;
        }

        if (quote)
        {
            buffer[at++] = (byte)'"';
        }

        if (formula)
        {
            buffer[at++] = (byte)'\'';
        }

        var rest = text.AsSpan();
        for (var q = quote ? rest.IndexOf('"') : -1; q >= 0; q = rest.IndexOf('"'))
        {
            at += Encoding.UTF8.GetBytes(rest[..(q + 1)], buffer.AsSpan(at));
            buffer[at++] = (byte)'"';
            rest = rest[(q + 1)..];
        }

        at += Encoding.UTF8.GetBytes(rest, buffer.AsSpan(at));
        if (quote)
        {
            buffer[at++] = (byte)'"';
        }

        return at;
    }

    private static int Put(ReadOnlySpan<byte> bytes, byte[] buffer, int at)
    {
        bytes.CopyTo(buffer.AsSpan(at));
        return bytes.Length;
    }

    private static void Ensure(ref byte[] buffer, int at, int more)
    {
        if (at + more > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, at + more));
        }
    }

    /// <summary>A pooled 64 KiB buffer in front of the part's stream, so the bytes go to it in large writes.</summary>
    private sealed class Output(Stream stream)
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        private int _at;

        /// <summary>Room for <paramref name="bytes"/> more bytes in the buffer (Put does not check).</summary>
        public void Reserve(int bytes)
        {
            if (_at + bytes <= _buffer.Length)
            {
                return;
            }

            Flush();
            if (bytes > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(bytes);
            }
        }

        public void Put(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer.AsSpan(_at));
            _at += bytes.Length;
        }

        public void Put(byte b) => _buffer[_at++] = b;

        public void Flush()
        {
            stream.Write(_buffer, 0, _at);
            _at = 0;
        }

        public void Return() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
