using System.Text;
using CreditFlows.Functions.Hosting;
using Microsoft.AspNetCore.Routing;

namespace CreditFlows.Functions.Tests.Infrastructure;

/// <summary>
/// Writes the HTTP [Function] wrappers (functions/CreditFlows.Functions/Functions/Http) from the route table: one file per
/// first route segment, one line per route. The Worker SDK reads literal attributes, so the wrappers are committed as
/// ordinary source; <c>scripts/http-functions.sh</c> regenerates them and <see cref="HttpFunctionSourceTests"/> fails when
/// they differ from the route table.
/// </summary>
public static class HttpFunctionSource
{
    public const string Folder = "functions/CreditFlows.Functions/Functions/Http";

    public static SortedDictionary<string, string> Generate(IEnumerable<RouteEndpoint> endpoints)
    {
        var functions = endpoints
            .Select(e => (Name: e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName, Method: e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Single(), Route: ApiRoutes.FunctionRoute(e.RoutePattern)))
            .GroupBy(f => Area(f.Route));
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var area in functions)
        {
            var text = new StringBuilder();
            text.Append($$"""
                // Generated from the route table (CreditFlowsApp.MapCreditFlowsApi) by scripts/http-functions.sh; do not edit.
                // One HTTP function per API route: the host routes api/{route} here, ApiDispatcher runs the app's pipeline and endpoint.
                using CreditFlows.Functions.Hosting;
                using Microsoft.Azure.Functions.Worker;
                using Microsoft.DurableTask.Client;

                namespace CreditFlows.Functions.Functions.Http;

                public sealed class {{area.Key}}Functions(ApiDispatcher api)
                {

                """);
            var first = true;
            foreach (var (name, method, route) in area.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                if (!first)
                {
                    text.Append('\n');
                }

                first = false;
                text.Append($"""
                        [Function("{name}")]
                        public Task<IResult> {name.Replace('-', '_')}([HttpTrigger(AuthorizationLevel.Anonymous, "{method.ToLowerInvariant()}", Route = "{route}")] HttpRequest req, [DurableClient] DurableTaskClient durable) => api.InvokeAsync("{name}", req, durable);

                    """);
            }

            text.Append("}\n");
            files[$"{area.Key}.cs"] = text.ToString();
        }

        return files;
    }

    /// <summary>The first segment of the route, in PascalCase: <c>authority-matrix/...</c> → <c>AuthorityMatrix</c>.</summary>
    private static string Area(string route) =>
        string.Concat(route.Split('/')[0].Split('-', '.').Select(w => w.Length == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]));
}
