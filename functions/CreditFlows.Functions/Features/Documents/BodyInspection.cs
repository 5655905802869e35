using System.Security.Cryptography;
using CreditFlows.Domain.Documents;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>What an upload's body turned out to be, once its last byte was judged: length, SHA-256 and format.</summary>
public sealed record ContentFacts(long Length, string Sha256, FileKind Kind);

/// <summary>
/// Judges and hashes an upload's bytes as they pass on their way to storage, whichever way they go (staged blocks
/// or one Put Blob). It starts by reading the <b>leading bytes</b> and judging them, so a file of the wrong kind is
/// refused before a single byte is sent; past <c>maxBytes</c> it throws 413; <see cref="Complete"/> gives the
/// verdict on the whole file (empty, cut short, a header followed by garbage, a SHA-256 other than the one the client
/// declared).
/// </summary>
public sealed class BodyInspection : IDisposable
{
    private readonly ContentInspector _inspector = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] _lead = new byte[ContentInspector.HeaderLength];
    private readonly string? _declaredType;
    private readonly DeclaredDigest? _declaredDigest;
    private readonly long _maxBytes;

    private BodyInspection(string? declaredType, DeclaredDigest? declaredDigest, long maxBytes)
    {
        _declaredType = declaredType;
        _declaredDigest = declaredDigest;
        _maxBytes = maxBytes;
    }

    /// <summary>The bytes read (and judged) before anything went to storage: the start of the file, to be sent first.</summary>
    public ReadOnlyMemory<byte> Lead { get; private set; }

    /// <summary>The format the leading bytes show (the whole-file check may still find the file damaged).</summary>
    public FileKind Kind => _inspector.Kind!.Value;

    public long Length => _inspector.Length;

    /// <summary>
    /// Reads the first <see cref="ContentInspector.HeaderLength"/> bytes of <paramref name="body"/> (fewer only if it
    /// ends sooner, and then judges the whole file) and refuses content that is not accepted or contradicts its
    /// declared type: <see cref="DocumentRefusal"/>. With <paramref name="declaredDigest"/>, <see cref="Complete"/> also
    /// refuses a file whose SHA-256 is another.
    /// </summary>
    public static async Task<BodyInspection> ReadLeadAsync(Stream body, string? declaredType, DeclaredDigest? declaredDigest, long maxBytes, CancellationToken cancellationToken)
    {
        var inspection = new BodyInspection(declaredType, declaredDigest, maxBytes);
        try
        {
            var count = 0;
            int read;
            while (count < inspection._lead.Length && (read = await body.ReadAsync(inspection._lead.AsMemory(count), cancellationToken)) > 0)
            {
                count += read;
            }

            inspection.Lead = inspection._lead.AsMemory(0, count);
            inspection.Append(inspection.Lead.Span);
            if (count < ContentInspector.HeaderLength)
            {
                Judge(inspection._inspector.Finish(), declaredType); // the whole file is here: empty, or too short to be anything
            }

            return inspection;
        }
        catch
        {
            inspection.Dispose();
            throw;
        }
    }

    /// <summary>Takes in the next bytes of the body: hashes them, and judges the format as soon as the leading bytes are in.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        _inspector.Append(data);
        _hash.AppendData(data);
        if (_inspector.Length > _maxBytes)
        {
            throw new BadHttpRequestException($"The file is larger than {_maxBytes} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        if (_inspector.Kind is null && _inspector.Length >= ContentInspector.HeaderLength)
        {
            Judge(_inspector.Identify(), _declaredType);
        }
    }

    /// <summary>The verdict on the whole file, after its last byte: refuses it (<see cref="DocumentRefusal"/>) or answers its facts.</summary>
    public ContentFacts Complete()
    {
        var verdict = _inspector.Finish();
        Judge(verdict, _declaredType);
        var sha256 = Convert.ToHexStringLower(_hash.GetCurrentHash());
        if (_declaredDigest is { } declared && declared.Sha256 != sha256)
        {
            throw new DocumentRefusal(DocumentRefusalKind.Invalid, declared.Header,
                $"the {_inspector.Length} bytes that arrived have SHA-256 {DigestHeader.Format(sha256)}, not the declared one: the file changed on the way, or the header is not this file's. Nothing was stored.");
        }

        return new ContentFacts(_inspector.Length, sha256, verdict.Kind!.Value);
    }

    public void Dispose() => _hash.Dispose();

    private static void Judge(Inspection inspection, string? declaredType)
    {
        switch (inspection.Verdict)
        {
            case ContentVerdict.Empty or ContentVerdict.Damaged:
                throw new DocumentRefusal(DocumentRefusalKind.Invalid, "file", inspection.Detail);
            case ContentVerdict.NotAccepted:
                throw new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "file", inspection.Detail);
            case ContentVerdict.Accepted when !FileKinds.DeclaredTypeFits(declaredType, inspection.Kind!.Value):
                throw new DocumentRefusal(DocumentRefusalKind.UnsupportedContent, "Content-Type",
                    $"The body was declared as {declaredType} but its content is {inspection.Kind}: send the right file, or declare application/octet-stream.");
        }
    }
}
