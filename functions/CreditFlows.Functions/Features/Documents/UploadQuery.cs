using System.Globalization;
using CreditFlows.Domain.Documents;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Features.Applications;

namespace CreditFlows.Functions.Features.Documents;

/// <summary>Reads an upload's query parameters and headers strictly: each problem is a 400 naming the parameter.</summary>
public static class UploadQuery
{
    public const int MaxNoteLength = 500;
    public const int MaxFileNameLength = 200;

    public static UploadRequest Read(HttpRequest request, CreditUser user)
    {
        var query = request.Query;
        var typeText = query["type"].ToString();
        if (typeText.Length == 0 || int.TryParse(typeText, out _) || !Enum.TryParse<DocumentType>(typeText, ignoreCase: true, out var type) || !Enum.IsDefined(type))
        {
            throw Invalid("type", $"is required: one of {string.Join(", ", Enum.GetNames<DocumentType>())}.");
        }

        int? collateralItem = null;
        if (query.ContainsKey("collateralItem"))
        {
            if (!int.TryParse(query["collateralItem"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var item))
            {
                throw Invalid("collateralItem", "is the number of a collateral item of the investigation, from 0.");
            }

            collateralItem = item;
        }

        var note = query["note"].ToString();
        CheckNote(note);
        var fileName = query["fileName"].ToString();
        CheckFileName(fileName);

        return new UploadRequest(type, collateralItem, note.Length == 0 ? null : note, fileName.Length == 0 ? null : fileName,
            request.ContentType, ReadIfMatch(request), ReadKey(request, user), ReadDigest(request));
    }

    /// <summary>
    /// The file's SHA-256 as the client declares it (Repr-Digest, or Content-Digest: the same for a body without a content
    /// coding), to be checked against the bytes that arrive; null when neither is sent.
    /// </summary>
    private static DeclaredDigest? ReadDigest(HttpRequest request)
    {
        DeclaredDigest? declared = null;
        foreach (var header in new[] { DigestHeader.Repr, DigestHeader.Content })
        {
            if (!request.Headers.TryGetValue(header, out var values))
            {
                continue;
            }

            var (sha256, problem) = DigestHeader.Parse(values.ToString());
            if (problem is not null)
            {
                throw Invalid(header, problem);
            }

            if (declared is not null && declared.Sha256 != sha256)
            {
                throw Invalid(header, $"declares a different SHA-256 from {declared.Header}: send one, or the same in both.");
            }

            declared ??= new DeclaredDigest(header, sha256!);
        }

        return declared;
    }

    /// <summary>A note is at most <see cref="MaxNoteLength"/> characters, without control characters.</summary>
    public static void CheckNote(string note)
    {
        if (note.Length > MaxNoteLength || note.Any(char.IsControl))
        {
            throw Invalid("note", $"is at most {MaxNoteLength} characters, without control characters.");
        }
    }

    /// <summary>A file name is a plain name: no path, quotes or control characters, no leading or trailing spaces.</summary>
    public static void CheckFileName(string fileName)
    {
        if (fileName.Length > MaxFileNameLength || fileName.Any(c => char.IsControl(c) || c is '/' or '\\' or '"') || fileName.Trim() != fileName || fileName is "." or "..")
        {
            throw Invalid("fileName", $"is a plain file name (at most {MaxFileNameLength} characters, no path, quotes or control characters).");
        }
    }

    /// <summary>If-Match: "n", the latest version of the type the caller saw ("0" for none): the upload must become n + 1.</summary>
    private static int? ReadIfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (value.Length < 3 || value[0] != '"' || value[^1] != '"' || !int.TryParse(value[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw Invalid("If-Match", "is the latest version of this type you saw, quoted (\"0\" when there is none yet).");
        }

        return version;
    }

    /// <summary>The Idempotency-Key header with the caller, or null; a malformed one is a 400 naming it.</summary>
    public static IdempotencyKey? ReadKey(HttpRequest request, CreditUser user)
    {
        if (!request.Headers.TryGetValue(ApplicationEndpoints.IdempotencyKeyHeader, out var values))
        {
            return null;
        }

        var value = values.ToString();
        if (value.Length is 0 or > 128 || value.Any(c => c is < '!' or > '~'))
        {
            throw Invalid(ApplicationEndpoints.IdempotencyKeyHeader, "must be 1-128 visible ASCII characters (a UUID is a good choice).");
        }

        return new IdempotencyKey(user.Id, value);
    }

    private static DocumentRefusal Invalid(string field, string problem) => new(DocumentRefusalKind.Invalid, field, problem);
}
