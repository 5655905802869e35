using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CreditFlows.Domain.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Identity;

/// <summary>
/// Signed development tokens (<c>Authorization: Bearer dev.{payload}.{signature}</c>, HMAC-SHA256) so the
/// seeded demo users can call the API locally. Issued and accepted only in Development; in Azure identity
/// comes from App Service Authentication.
/// </summary>
public sealed class DevTokens
{
    private const string Prefix = "dev.";
    private readonly byte[] _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    public DevTokens(IOptions<IdentityOptions> options, TimeProvider time)
    {
        var configured = options.Value.DevTokenSigningKey;
        _key = string.IsNullOrWhiteSpace(configured) ? RandomNumberGenerator.GetBytes(32) : Encoding.UTF8.GetBytes(configured);
        KeyIsEphemeral = string.IsNullOrWhiteSpace(configured);
        _lifetime = options.Value.DevTokenLifetime;
        _time = time;
    }

    /// <summary>True when no key was configured: tokens then last until the app restarts.</summary>
    public bool KeyIsEphemeral { get; }

    public string Issue(CreditUser user)
    {
        var payload = new Payload(user.Id, user.Name, user.Roles.Select(r => r.ToString()).Order().ToArray(), user.Branch.Value,
            (_time.GetUtcNow() + _lifetime).ToUnixTimeSeconds());
        var body = WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(payload));
        return $"{Prefix}{body}.{Sign(body)}";
    }

    public bool TryValidate(string token, out IdentityClaims? claims, out string? error)
    {
        claims = null;
        var parts = token.StartsWith(Prefix, StringComparison.Ordinal) ? token[Prefix.Length..].Split('.') : [];
        if (parts.Length != 2)
        {
            error = "The bearer token is not a development token.";
            return false;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(parts[0])), Encoding.ASCII.GetBytes(parts[1])))
        {
            error = "The development token's signature does not match (was it issued by another run of the app?).";
            return false;
        }

        var payload = JsonSerializer.Deserialize<Payload>(WebEncoders.Base64UrlDecode(parts[0]));
        if (payload is null || payload.Expires < _time.GetUtcNow().ToUnixTimeSeconds())
        {
            error = "The development token has expired.";
            return false;
        }

        claims = new IdentityClaims(payload.Subject, payload.Name, payload.Roles, payload.Branch);
        error = null;
        return true;
    }

    private string Sign(string body) => WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(body)));

    private sealed record Payload(
        [property: JsonPropertyName("sub")] string Subject,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("roles")] string[] Roles,
        [property: JsonPropertyName("branch")] string Branch,
        [property: JsonPropertyName("exp")] long Expires);
}
