using System.Security.Claims;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Edges;
using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Branches;

/// <summary>
/// <c>GET /api/branches</c> lists the branches the caller may act on (all of them from headquarters);
/// <c>GET /api/branches/{id}</c> answers 403 for another branch's id.
/// </summary>
public static class BranchEndpoints
{
    public static RouteGroupBuilder MapBranchEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/branches").WithTags("Branches");
        group.MapGet("/", async (ClaimsPrincipal principal, BranchStore branches, CancellationToken cancellationToken) =>
            {
                var user = principal.ToCreditUser();
                var all = await branches.ListAsync(cancellationToken);
                return Results.Ok(all.Where(b => user.CanAccess(b.Id)).OrderBy(b => b.Id.Value, StringComparer.Ordinal));
            })
            .WithSummary("Branches you may act on.")
            .Produces<IEnumerable<Branch>>();

        group.MapGet("/{id}", async (string id, ClaimsPrincipal principal, BranchStore branches, CancellationToken cancellationToken) =>
            {
                if (!BranchId.TryParse(id, out var branchId))
                {
                    return ApiProblems.BadRequest("id", "A branch id is 1-32 letters, digits or '-'.");
                }

                if (!principal.ToCreditUser().CanAccess(branchId))
                {
                    return ApiProblems.OutsideBranch(branchId);
                }

                return await branches.FindAsync(branchId, cancellationToken) is { } branch
                    ? Results.Ok(branch)
                    : ApiProblems.NotFound($"There is no branch '{branchId}'.");
            })
            .WithSummary("One branch.")
            .Produces<Branch>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }
}
