using System.Text.RegularExpressions;

namespace CreditFlows.Functions.Edges;

/// <summary>
/// Gives every request a correlation id — the caller's <c>X-Correlation-Id</c> when it is sane, the host's
/// invocation id under the Functions host, otherwise a new one — echoes it on the response and puts it in
/// the logging scope of everything the request does.
/// </summary>
public sealed partial class CorrelationIdMiddleware(RequestDelegate next, ILogger<CorrelationIdMiddleware> logger)
{
    public const string HeaderName = "X-Correlation-Id";
    public const string ItemKey = "CorrelationId";

    /// <summary>The invocation id the Functions host sends the worker with each HTTP invocation it proxies.</summary>
    public const string InvocationIdHeader = "x-ms-invocation-id";

    public async Task InvokeAsync(HttpContext context)
    {
        var id = Pick(context.Request.Headers[HeaderName].ToString())
            ?? Pick(context.Request.Headers[InvocationIdHeader].ToString())
            ?? Guid.NewGuid().ToString("N");
        context.Items[ItemKey] = id;
        // Set as the response starts: the exception handler clears headers set earlier.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = id;
            return Task.CompletedTask;
        });
        using (logger.BeginScope(new Dictionary<string, object> { [ItemKey] = id }))
        {
            await next(context);
        }
    }

    private static string? Pick(string candidate) => Safe().IsMatch(candidate) ? candidate : null;

    [GeneratedRegex("^[A-Za-z0-9._-]{8,64}$")]
    private static partial Regex Safe();
}
