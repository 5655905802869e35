using System.Security.Claims;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Me;

/// <summary><c>GET /api/me</c>: who the app thinks you are — roles, branch and whether you see every branch.</summary>
public static class MeEndpoints
{
    public sealed record MeView(string Id, string Name, BranchId Branch, IReadOnlyList<Role> Roles, bool SeesAllBranches);

    public static RouteGroupBuilder MapMeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/me", (ClaimsPrincipal principal) =>
            {
                var user = principal.ToCreditUser();
                return Results.Ok(new MeView(user.Id, user.Name, user.Branch, user.Roles.Order().ToList(), user.SeesAllBranches));
            })
            .WithTags("Identity")
            .WithSummary("The signed-in user.")
            .Produces<MeView>();
        return api;
    }
}
