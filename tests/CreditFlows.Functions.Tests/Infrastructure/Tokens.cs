using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CreditFlows.Domain.Identity;
using CreditFlows.Functions.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CreditFlows.Functions.Tests.Infrastructure;

public static class Tokens
{
    /// <summary>A client signed in as a development-token user (Development only).</summary>
    public static HttpClient As(this HttpClient client, TestApp app, string id, string branch, params Role[] roles)
    {
        var token = app.Services.GetRequiredService<DevTokens>().Issue(new CreditUser(id, id, roles.ToHashSet(), BranchId.Parse(branch)));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An App Service Authentication principal header, as Easy Auth sends it.</summary>
    public static string EasyAuthHeader(string objectId, string name, string? branch, params string[] roles)
    {
        var claims = new List<object>
        {
            new { typ = "http://schemas.microsoft.com/identity/claims/objectidentifier", val = objectId },
            new { typ = "name", val = name },
        };
        claims.AddRange(roles.Select(r => new { typ = "roles", val = r }));
        if (branch is not null)
        {
            claims.Add(new { typ = "branch", val = branch });
        }

        var json = JsonSerializer.Serialize(new { auth_typ = "aad", name_typ = "name", role_typ = "roles", claims });
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }
}
