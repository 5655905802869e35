using System.Text;
using Microsoft.AspNetCore.Routing.Patterns;

namespace CreditFlows.Functions.Hosting;

/// <summary>
/// The API's route table, <see cref="CreditFlowsApp.MapCreditFlowsApi"/>, outside a WebApplication: built into a
/// standalone route builder over a service provider, so that the worker, which runs no routes of ours, can hand a
/// request to the same endpoint the embedded app would have matched. Also the one rule that names every endpoint:
/// the name is the Azure Functions function name of its <c>[Function]</c> wrapper.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The API's endpoints, built over <paramref name="services"/>; names are unique (the dispatcher looks them up).</summary>
    public static IReadOnlyList<RouteEndpoint> Build(IServiceProvider services)
    {
        var builder = new StandaloneRouteBuilder(services);
        builder.MapCreditFlowsApi();
        return [.. builder.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()];
    }

    /// <summary>
    /// Gives an endpoint without a name (<c>WithName</c>) one from its method and route: the route's segments after
    /// <c>/api</c>, literal or parameter, in PascalCase, then the method:
    /// <c>GET /api/branches/{id}</c> → <c>Branches_Id_Get</c>, <c>POST /api/authority-matrix/drafts/{v}/submit</c> →
    /// <c>AuthorityMatrix_Drafts_V_Submit_Post</c>. Applied to the whole table as a convention of the <c>/api</c> group.
    /// </summary>
    public static void Name(EndpointBuilder endpoint)
    {
        if (endpoint is not RouteEndpointBuilder route || endpoint.Metadata.OfType<IEndpointNameMetadata>().Any())
        {
            return;
        }

        var methods = endpoint.Metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods
            ?? throw new InvalidOperationException($"API endpoint {route.RoutePattern.RawText} has no HTTP method: a function serves one method.");
        var method = methods.Count == 1 ? methods[0] : throw new InvalidOperationException($"API endpoint {route.RoutePattern.RawText} serves {methods.Count} methods; map one per method.");
        endpoint.Metadata.Add(new EndpointNameMetadata(NameFor(route.RoutePattern, method)));
    }

    public static string NameFor(RoutePattern pattern, string method)
    {
        var segments = pattern.PathSegments
            .Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                RoutePatternLiteralPart literal => Pascal(literal.Content),
                RoutePatternParameterPart parameter => Pascal(parameter.Name),
                RoutePatternSeparatorPart separator => Pascal(separator.Content),
                _ => string.Empty,
            })))
            .Where(s => s.Length > 0)
            .ToList();
        if (segments.Count > 0 && segments[0] == "Api")
        {
            segments.RemoveAt(0);
        }

        segments.Add(Pascal(method.ToLowerInvariant()));
        return string.Join('_', segments);
    }

    /// <summary>The route as a function's <c>route</c> under the host's <c>api</c> prefix: <c>/api/branches/{id}</c> → <c>branches/{id}</c>.</summary>
    public static string FunctionRoute(RoutePattern pattern)
    {
        var raw = (pattern.RawText ?? throw new InvalidOperationException("A route pattern without text.")).Trim('/');
        raw = raw.StartsWith("api/", StringComparison.Ordinal) ? raw["api/".Length..] : raw;
        return raw.Replace("{**", "{*", StringComparison.Ordinal);
    }

    private static string Pascal(string text)
    {
        var result = new StringBuilder(text.Length);
        var upper = true;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                upper = true;
                continue;
            }

            result.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return result.ToString();
    }

    /// <summary>An <see cref="IEndpointRouteBuilder"/> with no app behind it: Map* calls only collect endpoints.</summary>
    private sealed class StandaloneRouteBuilder(IServiceProvider services) : IEndpointRouteBuilder
    {
        public IServiceProvider ServiceProvider => services;

        public ICollection<EndpointDataSource> DataSources { get; } = [];

        public IApplicationBuilder CreateApplicationBuilder() => new ApplicationBuilder(services);
    }
}
