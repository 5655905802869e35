using System.Runtime.ExceptionServices;
using CreditFlows.Domain.Documents;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>
/// A request body as the content of one Put Blob: the leading bytes already read, then the rest of the body as it
/// arrives, each byte judged and hashed on its way through <see cref="BodyInspection"/>.
/// <para>
/// It says it can seek and has the request's Content-Length as its length, because the SDK buffers a whole
/// unseekable stream before a single-request upload; it "seeks" only to where it already is (the start, for the
/// first attempt), so nothing is ever held. A retry, which would need the bytes again, is refused and stops the
/// upload at once (the linked cancellation) instead of being tried and failing three times.
/// </para>
/// <para>
/// The whole-file verdict is given <b>before the last bytes are handed over</b>: a damaged file, or a body that
/// ends short, makes the read throw, so the Put Blob never sends its full Content-Length and storage never commits
/// the blob. The first failure is kept in <see cref="Fault"/> for the caller to rethrow over the SDK's wrapping.
/// </para>
/// </summary>
public sealed class SingleRequestBody(Stream body, BodyInspection inspection, long length, CancellationTokenSource abort) : Stream
{
    private long _position;

    /// <summary>The first failure while reading (a refusal, 413, the client going away), or null.</summary>
    public ExceptionDispatchInfo? Fault { get; private set; }

    /// <summary>The verdict on the whole file, once its last byte was read and judged.</summary>
    public ContentFacts? Facts { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        if (target != _position)
        {
            var refused = new IOException($"The upload to storage failed after {_position} bytes and cannot be retried: the request body streams through once.");
            Record(refused);
            throw refused;
        }

        return _position;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Fault is not null)
        {
            Fault.Throw();
        }

        var wanted = (int)Math.Min(buffer.Length, length - _position);
        if (wanted == 0)
        {
            return 0;
        }

        try
        {
            int count;
            var lead = inspection.Lead;
            if (_position < lead.Length)
            {
                count = Math.Min(wanted, lead.Length - (int)_position);
                lead.Slice((int)_position, count).CopyTo(buffer);
            }
            else
            {
                // Fill the SDK's buffer (80 KiB) rather than pass on each small read of the request: fewer, larger
                // writes to storage's connection.
                count = 0;
                while (count < wanted)
                {
                    var read = await body.ReadAsync(buffer[count..wanted], cancellationToken);
                    if (read == 0)
                    {
                        throw new DocumentRefusal(DocumentRefusalKind.Invalid, "file",
                            $"The body ended after {_position + count} of the {length} bytes its Content-Length announced: the upload was cut short.");
                    }

                    count += read;
                }

                inspection.Append(buffer.Span[..count]);
            }

            if (_position + count == length)
            {
                Facts = inspection.Complete(); // throws for a damaged file: its last bytes never reach storage
            }

            _position += count;
            return count;
        }
        catch (Exception ex)
        {
            Record(ex);
            throw;
        }
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        await ReadAsync(buffer.AsMemory(offset, count), cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("The request body is read asynchronously.");

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Keeps the first failure and stops the upload: the SDK sees a cancelled request and does not retry it.</summary>
    private void Record(Exception exception)
    {
        Fault ??= ExceptionDispatchInfo.Capture(exception);
        abort.Cancel();
    }
}
