using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using CreditFlows.Domain.Npl;

namespace CreditFlows.Functions.Features.Npl;

/// <summary>
/// One branch's checked loans while the extract is read: encoded once (<see cref="LoanCodec"/>) into a buffer, with
/// where each record starts and its shard hash. When the file is done and the branch's size (so its shard count) is
/// known, <see cref="Shards"/> copies each record's bytes to its shard's gzip stream as they are: nothing is decoded
/// or encoded again. A shard blob is the record encoding's version byte, the records, and the end byte, as
/// <see cref="LoanCodec.ReadRecords"/> reads it.
/// </summary>
public sealed class NplStagedBranch : IDisposable
{
    private readonly MemoryStream _buffer = new();
    private readonly BinaryWriter _writer;
    private readonly List<int> _starts = [];
    private readonly List<uint> _hashes = [];

    public NplStagedBranch() => _writer = new BinaryWriter(_buffer, Encoding.UTF8, leaveOpen: true);

    public int Count => _starts.Count;

    public void Add(LoanRecord loan)
    {
        _starts.Add(checked((int)_buffer.Position));
        _hashes.Add(NplStorage.ShardHash(loan.LoanId));
        LoanCodec.Write(_writer, loan);
    }

    /// <summary>The branch split into <paramref name="count"/> gzip-compressed shard blobs (by <see cref="NplStorage.ShardOf"/> of the loan id).</summary>
    public MemoryStream[] Shards(int count)
    {
        _writer.Flush();
        var bytes = _buffer.GetBuffer().AsSpan(0, (int)_buffer.Length);
        var outputs = new MemoryStream[count];
        var zips = new GZipStream[count];
        var buffered = new BufferedStream[count];
        for (var i = 0; i < count; i++)
        {
            outputs[i] = new MemoryStream();
            zips[i] = new GZipStream(outputs[i], CompressionLevel.Fastest, leaveOpen: true);
            buffered[i] = new BufferedStream(zips[i], 1 << 16);
            buffered[i].WriteByte(LoanCodec.RecordVersion);
        }

        if (count == 1)
        {
            buffered[0].Write(bytes);
        }
        else
        {
            var starts = CollectionsMarshal.AsSpan(_starts);
            var hashes = CollectionsMarshal.AsSpan(_hashes);
            for (var k = 0; k < starts.Length; k++)
            {
                var end = k + 1 < starts.Length ? starts[k + 1] : bytes.Length;
                buffered[(int)(hashes[k] % (uint)count)].Write(bytes[starts[k]..end]);
            }
        }

        for (var i = 0; i < count; i++)
        {
            buffered[i].WriteByte(0); // LoanCodec.WriteEnd
            buffered[i].Dispose();
            zips[i].Dispose();
            outputs[i].Position = 0;
        }

        return outputs;
    }

    public void Dispose()
    {
        _writer.Dispose();
        _buffer.Dispose();
    }
}
