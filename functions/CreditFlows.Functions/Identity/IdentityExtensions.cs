using System.Security.Claims;
using CreditFlows.Domain.Identity;
using Microsoft.AspNetCore.Authorization;

namespace CreditFlows.Functions.Identity;

public static class IdentityExtensions
{
    /// <summary>The policy every <c>/api</c> route needs at least: signed in, with a branch.</summary>
    public const string MemberPolicy = "Member";

    public static IServiceCollection AddCreditFlowsIdentity(this IServiceCollection services)
    {
        services.AddOptions<IdentityOptions>()
            .BindConfiguration(IdentityOptions.Section)
            .Validate(o => string.IsNullOrEmpty(o.DevTokenSigningKey) || o.DevTokenSigningKey.Length >= 32,
                "Identity:DevTokenSigningKey must be at least 32 characters (or empty for a key made at start).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.BranchClaimType), "Identity:BranchClaimType must not be empty.")
            .ValidateOnStart();
        services.AddSingleton<DevTokens>();
        services.AddAuthentication(PrincipalAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, PrincipalAuthenticationHandler>(PrincipalAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(MemberPolicy, policy => policy.RequireAuthenticatedUser().RequireClaim(PrincipalAuthenticationHandler.BranchClaim));
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }

    /// <summary>Requires a signed-in member holding at least one of <paramref name="roles"/>.</summary>
    public static TBuilder RequireRoles<TBuilder>(this TBuilder builder, params Role[] roles)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(new AuthorizationPolicyBuilder(PrincipalAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(PrincipalAuthenticationHandler.BranchClaim)
            .RequireRole(roles.Select(r => r.ToString()))
            .Build());

    /// <summary>The domain's view of the caller; call only behind the member policy.</summary>
    public static CreditUser ToCreditUser(this ClaimsPrincipal principal)
    {
        var roles = principal.FindAll(ClaimTypes.Role).Select(c => Enum.Parse<Role>(c.Value)).ToHashSet();
        var branch = BranchId.Parse(principal.FindFirstValue(PrincipalAuthenticationHandler.BranchClaim)
            ?? throw new InvalidOperationException("The principal has no branch; the member policy should have refused it."));
        return new CreditUser(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, principal.Identity?.Name ?? string.Empty, roles, branch);
    }
}
