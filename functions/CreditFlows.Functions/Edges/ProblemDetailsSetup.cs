using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;

namespace CreditFlows.Functions.Edges;

/// <summary>
/// Every error leaves as RFC 7807 problem+json with the correlation id, never with a stack trace: bad
/// requests the framework detects (bad JSON, wrong content type, body too large) keep their 4xx, anything
/// unexpected is a 500 that says only that it failed and how to find it in the logs.
/// </summary>
public static partial class ProblemDetailsSetup
{
    public static IServiceCollection AddCreditFlowsProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            if (context.HttpContext.Items.TryGetValue(CorrelationIdMiddleware.ItemKey, out var id))
            {
                context.ProblemDetails.Extensions["correlationId"] = id;
            }

            context.ProblemDetails.Instance ??= context.HttpContext.Request.Path;
        });
        // Bad input answers 400 problem+json instead of throwing (Development's default would throw).
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        services.Configure<JsonOptions>(options => options.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    private sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            var (status, title, detail) = exception switch
            {
                BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                    (413, "Request body too large", $"The body is larger than this endpoint accepts ({MaxBody(context)} bytes)."),
                BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
                OperationCanceledException when context.RequestAborted.IsCancellationRequested => (499, "Client closed request", null),
                _ => (500, "Something went wrong", "The request failed on the server. Quote the correlation id when reporting it."),
            };
            if (status >= 500)
            {
                LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            }

            context.Response.StatusCode = status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = { Status = status, Title = title, Detail = detail },
            });
        }

        private static string MaxBody(HttpContext context) =>
            context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?";

        [LoggerMessage(LogLevel.Error, "Unhandled error on {Method} {Path}")]
        private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
    }
}
