using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace CreditFlows.Functions.Hosting;

public static class FunctionHostExtensions
{
    /// <summary>Registers the handler of the function whose folder is <paramref name="name"/>.</summary>
    public static IServiceCollection AddFunction<THandler>(this IServiceCollection services, string name)
        where THandler : class, IFunctionHandler
    {
        services.AddScoped<THandler>();
        services.AddSingleton(new FunctionRegistration(name, sp => sp.GetRequiredService<THandler>()));
        return services;
    }

    /// <summary>
    /// The function app folder (host.json and function folders). Defaults to the executable's folder, which
    /// is where the Functions host runs it; <c>FunctionApp:ScriptRoot</c> overrides.
    /// </summary>
    public static IServiceCollection AddFunctionApp(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var configured = sp.GetRequiredService<IConfiguration>()["FunctionApp:ScriptRoot"];
            return FunctionApp.Load(string.IsNullOrWhiteSpace(configured) ? AppContext.BaseDirectory : configured);
        });
        return services;
    }

    /// <summary>
    /// Maps <c>POST /{FunctionName}</c> for every registered function: the custom handler contract. The body
    /// is <c>{Data, Metadata}</c>; the answer is 200 with <c>{Outputs, Logs, ReturnValue}</c>, or a
    /// problem+json error, which the host counts as a failed invocation.
    /// </summary>
    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder endpoints)
    {
        foreach (var registration in endpoints.ServiceProvider.GetServices<FunctionRegistration>())
        {
            endpoints.MapPost($"/{registration.Name}", (HttpContext context, CancellationToken cancellationToken) =>
                    InvokeAsync(registration, context, cancellationToken))
                .WithName($"Invoke{registration.Name}")
                .ExcludeFromDescription();
        }

        return endpoints;
    }

    private static async Task<IResult> InvokeAsync(FunctionRegistration registration, HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "An invocation body is JSON: Content-Type must be application/json.");
        }

        InvocationRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync<InvocationRequest>(cancellationToken);
        }
        catch (JsonException ex)
        {
            return InvalidInvocation($"The invocation body is not valid JSON: {ex.Message}");
        }

        if (request is null)
        {
            return InvalidInvocation("The invocation body is empty; expected {\"Data\":{...},\"Metadata\":{...}}.");
        }

        var handler = registration.Resolve(context.RequestServices);
        try
        {
            var result = await handler.InvokeAsync(request, cancellationToken);
            return Results.Json(result);
        }
        catch (InvalidInvocationException ex)
        {
            return InvalidInvocation(ex.Message);
        }
    }

    private static IResult InvalidInvocation(string detail) =>
        Results.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "Invalid invocation",
            Detail = detail,
            Type = "https://creditflows.local/problems/invalid-invocation",
        });
}
