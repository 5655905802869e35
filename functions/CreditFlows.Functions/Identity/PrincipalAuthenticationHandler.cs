using System.Security.Claims;
using System.Text.Encodings.Web;
using CreditFlows.Domain.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CreditFlows.Functions.Identity;

/// <summary>
/// Builds the caller's principal from App Service Authentication's <c>X-MS-CLIENT-PRINCIPAL</c> header (where
/// trusted), or in Development from a signed development token. Claims: user id, name, one role claim per
/// CreditFlows role held, and the branch. Answers 401 as problem+json, naming what was wrong.
/// </summary>
public sealed class PrincipalAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<IdentityOptions> identityOptions,
    IHostEnvironment environment,
    DevTokens devTokens,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    public const string SchemeName = "CreditFlows";
    public const string BranchClaim = "creditflows/branch";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var options = identityOptions.Value;
        var trustHeader = options.TrustClientPrincipalHeader
            ?? (string.Equals(Environment.GetEnvironmentVariable("WEBSITE_AUTH_ENABLED"), "True", StringComparison.OrdinalIgnoreCase) || environment.IsDevelopment());

        IdentityClaims? claims = null;
        if (trustHeader && Request.Headers.TryGetValue(ClientPrincipal.HeaderName, out var header) && !string.IsNullOrEmpty(header))
        {
            if (!ClientPrincipal.TryDecode(header!, out var principal, out var error))
            {
                return Task.FromResult(AuthenticateResult.Fail(error!));
            }

            claims = principal!.ToIdentityClaims(options.BranchClaimType);
        }
        else if (environment.IsDevelopment() && Request.Headers.Authorization.ToString() is { Length: > 7 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            if (!devTokens.TryValidate(authorization[7..].Trim(), out claims, out var error))
            {
                return Task.FromResult(AuthenticateResult.Fail(error!));
            }
        }

        if (claims is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (string.IsNullOrWhiteSpace(claims.UserId))
        {
            return Task.FromResult(AuthenticateResult.Fail("The principal has no user id claim."));
        }

        var identity = new ClaimsIdentity(SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, claims.UserId));
        identity.AddClaim(new Claim(ClaimTypes.Name, claims.Name ?? claims.UserId));
        foreach (var role in claims.Roles)
        {
            if (Roles.TryParse(role, out var known))
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, known.ToString()));
            }
        }

        if (BranchId.TryParse(claims.Branch, out var branch))
        {
            identity.AddClaim(new Claim(BranchClaim, branch.Value));
        }
        else if (string.IsNullOrWhiteSpace(claims.Branch) && identity.HasClaim(ClaimTypes.Role, nameof(Role.CoreBanking)))
        {
            // The core banking system signs in as a service principal, and Entra ID cannot put a directory
            // extension (the branch) into an app-only token. Its role is union-wide and only confirms disbursements.
            identity.AddClaim(new Claim(BranchClaim, BranchId.Headquarters.Value));
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Not signed in",
                Detail = result.Failure?.Message
                    ?? "This request carries no principal. In Azure, sign in through App Service Authentication; locally, send 'Authorization: Bearer <demo token>'.",
            },
        });
    }
}
