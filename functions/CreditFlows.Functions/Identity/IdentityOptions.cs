namespace CreditFlows.Functions.Identity;

/// <summary>Settings of section <c>Identity</c>.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>
    /// Trust the <c>X-MS-CLIENT-PRINCIPAL</c> header. App Service Authentication sets it and strips any copy a
    /// client sends, so it is trustworthy only where that is on: the default is on when
    /// <c>WEBSITE_AUTH_ENABLED</c> is <c>True</c> (App Service sets it) or in Development.
    /// </summary>
    public bool? TrustClientPrincipalHeader { get; set; }

    /// <summary>The claim naming the person's branch (an Entra ID optional claim or directory extension).</summary>
    public string BranchClaimType { get; set; } = "branch";

    /// <summary>HMAC key (at least 32 characters) for development tokens; Development only. Empty: a key made at start.</summary>
    public string? DevTokenSigningKey { get; set; }

    /// <summary>How long a development token is valid.</summary>
    public TimeSpan DevTokenLifetime { get; set; } = TimeSpan.FromDays(30);
}
