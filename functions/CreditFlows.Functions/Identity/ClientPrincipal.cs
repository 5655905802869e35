using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreditFlows.Functions.Identity;

/// <summary>
/// App Service Authentication's <c>X-MS-CLIENT-PRINCIPAL</c> header: base64 of
/// <c>{"auth_typ","name_typ","role_typ","claims":[{"typ","val"}]}</c>.
/// </summary>
public sealed record ClientPrincipal(
    [property: JsonPropertyName("auth_typ")] string? AuthenticationType,
    [property: JsonPropertyName("name_typ")] string? NameClaimType,
    [property: JsonPropertyName("role_typ")] string? RoleClaimType,
    [property: JsonPropertyName("claims")] IReadOnlyList<ClientPrincipalClaim>? Claims)
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";

    private static readonly string[] UserIdClaimTypes =
    [
        "http://schemas.microsoft.com/identity/claims/objectidentifier", "oid",
        ClaimTypes.NameIdentifier, "sub",
    ];

    public static bool TryDecode(string header, out ClientPrincipal? principal, out string? error)
    {
        principal = null;
        try
        {
            var json = Encoding.UTF8.GetString(Convert.FromBase64String(header));
            principal = JsonSerializer.Deserialize<ClientPrincipal>(json);
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = $"{HeaderName} is not base64-encoded JSON.";
            return false;
        }

        error = principal?.Claims is null ? $"{HeaderName} carries no claims." : null;
        return error is null;
    }

    /// <summary>The claims as the app uses them: user id, name, roles and branch.</summary>
    public IdentityClaims ToIdentityClaims(string branchClaimType)
    {
        var claims = Claims ?? [];
        string? First(params string[] types) => types.Select(t => claims.FirstOrDefault(c => c.Type == t)?.Value).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

        var roleType = string.IsNullOrEmpty(RoleClaimType) ? "roles" : RoleClaimType;
        var roles = claims.Where(c => c.Type == roleType || c.Type == "roles" || c.Type == ClaimTypes.Role).Select(c => c.Value).Distinct().ToList();
        return new IdentityClaims(
            First(UserIdClaimTypes),
            First(NameClaimType ?? "name", "name", ClaimTypes.Name, "preferred_username"),
            roles,
            First(branchClaimType));
    }
}

public sealed record ClientPrincipalClaim([property: JsonPropertyName("typ")] string Type, [property: JsonPropertyName("val")] string Value);

/// <summary>What an identity source says about the caller, before it is checked.</summary>
public sealed record IdentityClaims(string? UserId, string? Name, IReadOnlyList<string> Roles, string? Branch);
