using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CreditFlows.Functions.Edges;

/// <summary>
/// The OpenAPI document at <c>/api/openapi/v1.json</c> and a browsable page at <c>/api/docs</c> (Swagger UI,
/// served from the app itself), both routes of the API, so they are functions under the Functions host too.
/// </summary>
public static class ApiDocs
{
    public const string DocumentPath = "/api/openapi/v1.json";

    public static IServiceCollection AddCreditFlowsOpenApi(this IServiceCollection services) =>
        services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "CreditFlows API",
                Version = "v1",
                Description = "CreditFlows, for a county union of rural credit cooperatives. " +
                    "In Azure, sign in through App Service Authentication; running locally in Development, use a demo token " +
                    "(printed at start, or GET http://localhost:7071/dev/tokens) as a bearer token.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A development token (local only).",
            };
            document.Security ??= [];
            document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
            return Task.CompletedTask;
        }));

    /// <summary>
    /// Both as endpoints of the <c>/api</c> group, anonymous, so that they are in the route table and so functions under the
    /// host too: <c>openapi/v1.json</c>, and <c>docs/{*path}</c>, which runs the Swagger UI middleware (index page, assets).
    /// </summary>
    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder api)
    {
        api.MapOpenApi("/openapi/v1.json").AllowAnonymous();

        var ui = api.CreateApplicationBuilder();
        ui.Use((context, next) =>
        {
            // The static-file middleware inside Swagger UI stands aside when an endpoint was matched; this one is done with.
            context.SetEndpoint(null);
            return next(context);
        });
        ui.UseSwaggerUI(options =>
        {
            options.RoutePrefix = "api/docs";
            options.DocumentTitle = "CreditFlows API";
            options.SwaggerEndpoint(DocumentPath, "CreditFlows API v1");
        });
        ui.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        api.MapGet("/docs/{**path}", ui.Build()).AllowAnonymous().ExcludeFromDescription();
        return api;
    }
}
