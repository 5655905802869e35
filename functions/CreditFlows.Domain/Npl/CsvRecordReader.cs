namespace CreditFlows.Domain.Npl;

/// <summary>
/// A streaming RFC 4180 reader over UTF-8 bytes: comma-separated, fields optionally in double quotes (a quote
/// inside doubled, commas and line breaks allowed inside), records ending in LF or CRLF. It reads a large
/// buffer at a time and hands out each record's fields as byte spans, so nothing is decoded that is not
/// used. A record with broken quoting is still returned, with <see cref="Error"/> set; a blank line is skipped.
/// </summary>
public sealed class CsvRecordReader
{
    /// <summary>A record longer than this is cut off and reported (most likely an unclosed quote).</summary>
    public const int MaxRecordBytes = 64 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _position;
    private int _length;
    private bool _endOfStream;
    private byte[] _record = new byte[4096];
    private int _recordLength;
    private int[] _fieldEnds = new int[32];
    private bool _started;

    public CsvRecordReader(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    /// <summary>How many fields the current record has.</summary>
    public int FieldCount { get; private set; }

    /// <summary>The current record's number: 1 is the first record of the file (the header).</summary>
    public long RecordNumber { get; private set; }

    /// <summary>Why the current record is malformed, or null.</summary>
    public string? Error { get; private set; }

    public ReadOnlySpan<byte> Field(int index)
    {
        var start = index == 0 ? 0 : _fieldEnds[index - 1];
        return _record.AsSpan(start, _fieldEnds[index] - start);
    }

    /// <summary>Moves to the next record; false at the end of the stream.</summary>
    public bool Read()
    {
        while (true)
        {
            if (!ReadRecord(out var blank))
            {
                return false;
            }

            RecordNumber++;
            if (!blank)
            {
                return true;
            }
        }
    }

    private bool ReadRecord(out bool blank)
    {
        blank = false;
        _recordLength = 0;
        FieldCount = 0;
        Error = null;
        var inQuotes = false;
        var quotedField = false;
        var afterClosingQuote = false;
        var fieldStartsHere = true;
        var any = false;
        while (true)
        {
            if (_position >= _length && !Fill())
            {
                if (!any)
                {
                    return false;
                }

                if (inQuotes)
                {
                    Error = "a quoted field is not closed before the end of the file";
                }

                EndField();
                return true;
            }

            var b = _buffer[_position++];
            any = true;
            if (inQuotes)
            {
                if (b == (byte)'"')
                {
                    if (_position >= _length && !Fill())
                    {
                        inQuotes = false;
                        afterClosingQuote = true;
                        continue;
                    }

                    if (_buffer[_position] == (byte)'"')
                    {
                        _position++;
                        Append(b);
                    }
                    else
                    {
                        inQuotes = false;
                        afterClosingQuote = true;
                    }
                }
                else
                {
                    Append(b);
                }

                if (_recordLength > MaxRecordBytes)
                {
                    Error = $"the record is longer than {MaxRecordBytes} bytes (an unclosed quote?)";
                    inQuotes = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)',':
                    EndField();
                    fieldStartsHere = true;
                    quotedField = false;
                    afterClosingQuote = false;
                    continue;
                case (byte)'\n':
                    if (_recordLength > 0 && _record[_recordLength - 1] == (byte)'\r' && !afterClosingQuote)
                    {
                        _recordLength--;
                    }

                    blank = FieldCount == 0 && _recordLength == 0 && !quotedField;
                    EndField();
                    return true;
                case (byte)'"' when fieldStartsHere:
                    inQuotes = true;
                    quotedField = true;
                    fieldStartsHere = false;
                    continue;
                case (byte)'\r' when afterClosingQuote:
                    continue; // CRLF after a quoted field.
                default:
                    if (afterClosingQuote || b == (byte)'"')
                    {
                        Error ??= b == (byte)'"' ? "a quote inside an unquoted field" : "text after a closing quote";
                    }

                    fieldStartsHere = false;
                    Append(b);
                    if (_recordLength > MaxRecordBytes)
                    {
                        Error ??= $"the record is longer than {MaxRecordBytes} bytes";
                        _recordLength = MaxRecordBytes;
                    }

                    continue;
            }
        }
    }

    private void Append(byte b)
    {
        if (_recordLength == _record.Length)
        {
            Array.Resize(ref _record, _record.Length * 2);
        }

        _record[_recordLength++] = b;
    }

    private void EndField()
    {
        if (FieldCount == _fieldEnds.Length)
        {
            Array.Resize(ref _fieldEnds, _fieldEnds.Length * 2);
        }

        _fieldEnds[FieldCount++] = _recordLength;
    }

    private bool Fill()
    {
        if (_endOfStream)
        {
            return false;
        }

        _length = _stream.ReadAtLeast(_buffer, _buffer.Length, throwOnEndOfStream: false);
        _position = 0;
        if (!_started)
        {
            _started = true;
            if (_length >= 3 && _buffer[0] == 0xEF && _buffer[1] == 0xBB && _buffer[2] == 0xBF)
            {
                _position = 3; // UTF-8 byte order mark.
            }
        }

        if (_length < _buffer.Length)
        {
            _endOfStream = true;
        }

        return _length > _position;
    }
}
