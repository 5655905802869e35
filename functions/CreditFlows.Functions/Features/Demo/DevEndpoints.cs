using CreditFlows.Functions.Identity;

namespace CreditFlows.Functions.Features.Demo;

/// <summary><c>GET /dev/tokens</c> (Development only): the demo users with a fresh development token each.</summary>
public static class DevEndpoints
{
    public sealed record DemoToken(string User, string Name, string Branch, IReadOnlyList<string> Roles, string Token);

    public static IEndpointRouteBuilder MapDevEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/dev/tokens", (DevTokens tokens) => Results.Ok(DemoData.Users.Select(u =>
                new DemoToken(u.Id, u.Name, u.Branch.Value, u.Roles.Order().Select(r => r.ToString()).ToList(), tokens.Issue(u)))))
            .ExcludeFromDescription();
        return endpoints;
    }
}
