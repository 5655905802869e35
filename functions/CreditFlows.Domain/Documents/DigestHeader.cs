namespace CreditFlows.Domain.Documents;

/// <summary>
/// The SHA-256 a client declares for the file it sends, in an RFC 9530 digest field (<c>Repr-Digest</c>, or
/// <c>Content-Digest</c>, which is the same for a body sent without a content coding):
/// <c>Repr-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:</c>. The field is a structured-field
/// dictionary, so it may name several algorithms; the others are ignored, as the RFC asks, but sha-256 must be there.
/// Downloads answer with the same field, so a client can check a file end to end both ways.
/// </summary>
public static class DigestHeader
{
    public const string Repr = "Repr-Digest";
    public const string Content = "Content-Digest";

    /// <summary>The field for a SHA-256 given as hex, as downloads send it.</summary>
    public static string Format(string sha256Hex) => $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(sha256Hex))}:";

    /// <summary>
    /// Reads the sha-256 member of <paramref name="value"/> as lowercase hex. Answers null and a problem (naming
    /// what to send) for a field that is not a dictionary of byte sequences, has no sha-256, or whose sha-256 is not
    /// 32 bytes of base64.
    /// </summary>
    public static (string? Sha256, string? Problem) Parse(string value)
    {
        string? sha256 = null;
        foreach (var raw in value.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            var equals = member.IndexOf('=');
            if (equals <= 0 || !IsKey(member.AsSpan(0, equals)))
            {
                return (null, Expected);
            }

            var item = member[(equals + 1)..];
            if (item.Length < 2 || item[0] != ':' || item[^1] != ':')
            {
                return (null, Expected);
            }

            if (member[..equals] != "sha-256")
            {
                continue; // another algorithm: ignored (RFC 9530 §2), but it must still be well formed
            }

            var bytes = new byte[32];
            if (!Convert.TryFromBase64String(item[1..^1], bytes, out var written) || written != 32 || item.Length != 46)
            {
                return (null, "sha-256 must be the file's SHA-256: 32 bytes in base64 between colons (44 characters).");
            }

            sha256 = Convert.ToHexStringLower(bytes); // a dictionary's last member of a name wins (RFC 8941)
        }

        return sha256 is null ? (null, "names no sha-256; send sha-256=:<the file's SHA-256 in base64>: (other algorithms are not checked).") : (sha256, null);
    }

    private const string Expected = "is a list of algorithm=:base64: members, e.g. sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=: (RFC 9530).";

    /// <summary>A structured-field key: a lowercase letter or *, then lowercase letters, digits, _ - . *.</summary>
    private static bool IsKey(ReadOnlySpan<char> key) =>
        key[0] is (>= 'a' and <= 'z') or '*' && !key.ContainsAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789_-.*");
}
