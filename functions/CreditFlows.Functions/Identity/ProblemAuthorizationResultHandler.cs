using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CreditFlows.Functions.Identity;

/// <summary>Answers 403 as problem+json, saying which role or claim was missing.</summary>
public sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var reasons = authorizeResult.AuthorizationFailure?.FailedRequirements.Select(Describe).Distinct().ToList() ?? [];
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Not allowed",
                Detail = reasons.Count > 0 ? string.Join(" ", reasons) : "You are not allowed to do this.",
            },
        });
    }

    private static string Describe(IAuthorizationRequirement requirement) => requirement switch
    {
        RolesAuthorizationRequirement roles => $"Requires the role {string.Join(" or ", roles.AllowedRoles)}.",
        ClaimsAuthorizationRequirement { ClaimType: PrincipalAuthenticationHandler.BranchClaim } => "Your account has no branch assigned.",
        ClaimsAuthorizationRequirement claim => $"Requires the claim '{claim.ClaimType}'.",
        _ => "A requirement of this operation is not met.",
    };
}
