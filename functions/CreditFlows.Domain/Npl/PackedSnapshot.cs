using System.Buffers;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using CreditFlows.Domain.Applications;

namespace CreditFlows.Domain.Npl;

/// <summary>
/// A branch's end-of-day snapshot as the bytes <see cref="LoanCodec"/> wrote (its shards gunzipped back to back), with
/// what a diff needs of every loan at hand: its id (as UTF-8, not a string), category and balance. The other fields are
/// decoded only for the loans asked for (<see cref="Loan"/>), so a week's diff allocates strings for the loans that moved
/// and not for the whole book. Reads the same blobs as <see cref="LoanCodec.ReadSnapshots"/>, in the same order; its
/// buffers are rented, so dispose it.
/// </summary>
public sealed class PackedSnapshot : IDisposable
{
    private const byte SnapshotVersion = 1;
    private const int FirstBuffer = 1 << 16;

    private byte[] _bytes = [];
    private int _length;
    private Entry[] _entries = [];
    private int _count;

    public int Count => _count;

    /// <summary>The loan's id as the UTF-8 bytes it was written as (the same id is the same bytes).</summary>
    public ReadOnlySpan<byte> LoanIdUtf8(int index)
    {
        var at = Entries[index].Record;
        var reader = new SnapshotReader(_bytes.AsSpan(0, _length), at);
        return reader.StringBytes();
    }

    public LoanCategory Category(int index) => Entries[index].Category;

    public long BalanceFen(int index) => Entries[index].BalanceFen;

    /// <summary>The whole loan, decoded as <see cref="LoanCodec.ReadSnapshots"/> decodes it.</summary>
    public LoanSnapshot Loan(int index)
    {
        var r = new SnapshotReader(_bytes.AsSpan(0, _length), Entries[index].Record);
        return new LoanSnapshot(
            r.String(), string.Intern(r.String()), r.String(), r.String(), r.String(), string.Intern(r.String()),
            (GuaranteeType)r.Byte(), r.Int64(), r.Int64(), r.Date(), r.Int32(), r.Byte() != 0, (LoanCategory)r.Byte(), (LoanCategory)r.Byte(), r.Date());
    }

    /// <summary>Reads one gzip shard blob to its end and indexes its loans after those of the shards added before it.</summary>
    public async Task AddShardAsync(Stream compressed, CancellationToken cancellationToken)
    {
        var start = _length;
        await using (var gzip = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true))
        {
            while (true)
            {
                if (_length == _bytes.Length)
                {
                    Grow(ref _bytes, _length, Math.Max(FirstBuffer, _bytes.Length * 2));
                }

                var read = await gzip.ReadAsync(_bytes.AsMemory(_length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                _length += read;
            }
        }

        Index(start);
    }

    public void Dispose()
    {
        Return(ref _bytes);
        Return(ref _entries);
        _length = _count = 0;
    }

    private ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    /// <summary>Indexes the shard at [start, end): the version byte, then records each preceded by a 1, until a byte that is not 1.</summary>
    private void Index(int start)
    {
        if (start == _length)
        {
            return; // an empty blob holds no loans, as ReadSnapshots reads it
        }

        var r = new SnapshotReader(_bytes.AsSpan(0, _length), start);
        var version = r.Byte();
        if (version != SnapshotVersion)
        {
            throw new InvalidDataException($"Unknown encoding version {version}; expected {SnapshotVersion}.");
        }

        while (r.Byte() == 1)
        {
            var record = r.Position;
            r.Skip(6); // loan id, officer, borrower id, borrower name, group, product
            r.Byte(); // guarantee type
            var balance = r.Int64();
            r.Int64(); // overdue amount
            r.Int32(); // overdue since
            r.Int32(); // days overdue
            r.Byte(); // restructured
            r.Byte(); // rule category
            var category = (LoanCategory)r.Byte();
            r.Int32(); // first NPL on
            if (_count == _entries.Length)
            {
                Grow(ref _entries, _count, Math.Max(1024, _entries.Length * 2));
            }

            _entries[_count++] = new Entry(record, category, balance);
        }
    }

    private static void Grow<T>(ref T[] array, int used, int size)
    {
        var bigger = ArrayPool<T>.Shared.Rent(size);
        array.AsSpan(0, used).CopyTo(bigger);
        Return(ref array);
        array = bigger;
    }

    private static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array);
        }

        array = [];
    }

    /// <summary>Where a loan's record starts (its id's length), and the two fields every loan of a diff needs.</summary>
    private readonly record struct Entry(int Record, LoanCategory Category, long BalanceFen);

    /// <summary>
    /// <see cref="BinaryReader"/>'s encoding read from a span: 7-bit encoded integers, strings as a 7-bit byte length and
    /// UTF-8. Ends and malformed integers fail as BinaryReader fails on them.
    /// </summary>
    private ref struct SnapshotReader(ReadOnlySpan<byte> bytes, int position)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _position = position;

        public readonly int Position => _position;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public byte Byte() => (uint)_position < (uint)_bytes.Length ? _bytes[_position++] : throw Truncated();

        /// <summary>One byte for 0-127 (most of a snapshot's numbers), read inline; the rest as BinaryReader.Read7BitEncodedInt.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Int32() => (uint)_position < (uint)_bytes.Length && _bytes[_position] <= 0x7F ? _bytes[_position++] : LongInt32();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public long Int64() => (uint)_position < (uint)_bytes.Length && _bytes[_position] <= 0x7F ? _bytes[_position++] : LongInt64();

        public DateOnly? Date() => Int32() is var n && n < 0 ? null : DateOnly.FromDayNumber(n);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public ReadOnlySpan<byte> StringBytes()
        {
            var length = Int32();
            if (length < 0)
            {
                throw new IOException($"BinaryReader encountered an invalid string length of {length} characters.");
            }

            if (length > _bytes.Length - _position)
            {
                throw Truncated();
            }

            var text = _bytes.Slice(_position, length);
            _position += length;
            return text;
        }

        public string String() => Encoding.UTF8.GetString(StringBytes());

        /// <summary>Steps over <paramref name="strings"/> strings without decoding them.</summary>
        public void Skip(int strings)
        {
            for (var i = 0; i < strings; i++)
            {
                StringBytes();
            }
        }

        private int LongInt32()
        {
            var result = 0u;
            for (var shift = 0; shift < 28; shift += 7)
            {
                var b = Byte();
                result |= (b & 0x7Fu) << shift;
                if (b <= 0x7F)
                {
                    return (int)result;
                }
            }

            var last = Byte();
            return last <= 0b1111 ? (int)(result | ((uint)last << 28)) : throw TooLong();
        }

        private long LongInt64()
        {
            var result = 0ul;
            for (var shift = 0; shift < 63; shift += 7)
            {
                var b = Byte();
                result |= (b & 0x7Ful) << shift;
                if (b <= 0x7F)
                {
                    return (long)result;
                }
            }

            var last = Byte();
            return last <= 0b1 ? (long)(result | ((ulong)last << 63)) : throw TooLong();
        }

        private static EndOfStreamException Truncated() => new("The snapshot ends inside a record.");

        private static FormatException TooLong() => new("Too many bytes in what should have been a 7-bit encoded integer.");
    }
}
